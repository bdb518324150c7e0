from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RapportagesConfig(AppConfig):
    """Progress and final reports, their schedule and PDFs, and the UWV bundle."""

    name = "rapportages"
    verbose_name = _("Reports")
