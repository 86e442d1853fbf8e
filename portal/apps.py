from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "机构与用户"

    def ready(self):
        from portal import session_lifetime

        session_lifetime.connect()
