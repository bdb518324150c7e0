from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """Tenants (agencies), employers and their BVs, users and roles, access, audit trail."""

    name = "portal"
    verbose_name = _("Portal")

    def ready(self) -> None:
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_migrate

        # signals registers the login receivers, lookups the ``__in_list`` lookup
        from . import lookups, signals, tenancy  # noqa: F401
        from .changelog import context

        post_migrate.connect(tenancy.post_migrate, sender=self)
        connection_created.connect(context.register_functions)
