from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """Tenants (agencies), employers and their BVs, users and roles, access, audit trail."""

    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from . import signals

        signals.connect_dashboard_signals()
