from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "review"
    verbose_name = "推荐与评审"

    def ready(self):
        from review import roles, tallies, withdrawals

        roles.connect()
        tallies.connect()
        withdrawals.connect()
