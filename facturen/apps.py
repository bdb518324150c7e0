from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FacturenConfig(AppConfig):
    """Invoices: what the agency bills its employers, from what the file already knows
    (docs/invoices.md)."""

    name = "facturen"
    verbose_name = _("Invoices")
