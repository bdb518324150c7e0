from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SollicitatiesConfig(AppConfig):
    """Application activities, temp-agency registrations, the norm and the vacancy board."""

    name = "sollicitaties"
    verbose_name = _("Applications")
