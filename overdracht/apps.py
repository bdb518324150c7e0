from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OverdrachtConfig(AppConfig):
    """Handing files over: the transfer format, its export and its import (docs/transfer.md)."""

    name = "overdracht"
    verbose_name = _("Hand-over")
