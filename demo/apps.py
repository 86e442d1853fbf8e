from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo and benchmark data (`seed_demo`, `seed_scale`). It seeds every other app, so it comes
    last: imports flow demo → review → applications → portal. No models, no migrations."""

    name = "demo"
    verbose_name = "演示数据"
