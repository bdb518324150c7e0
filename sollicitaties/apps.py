from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SollicitatiesConfig(AppConfig):
    """Application activities, temp-agency registrations and the vacancy board.

    Its models arrive with the application-log issue; the app is registered now so that the
    layout, settings and migrations graph are stable from the start.
    """

    name = "sollicitaties"
    verbose_name = _("Applications")
