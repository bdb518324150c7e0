from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KwaliteitConfig(AppConfig):
    """What an agency is judged on: satisfaction surveys at closing and the outcome figures of
    a measurement period (the Blik op Werk quality mark, domain.md section 8)."""

    name = "kwaliteit"
    verbose_name = _("Quality and outcomes")
