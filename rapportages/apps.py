from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RapportagesConfig(AppConfig):
    """Progress and final reports, their schedule and PDF rendering.

    Its models arrive with the reports issue; the app is registered now so that the layout,
    settings and migrations graph are stable from the start.
    """

    name = "rapportages"
    verbose_name = _("Reports")
