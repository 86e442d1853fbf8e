from django.apps import AppConfig


class ProgrammeConfig(AppConfig):
    name = "programme"
    verbose_name = "实验周期"

    def ready(self):
        from programme import experiment_schools, roles

        experiment_schools.connect()
        roles.connect()
