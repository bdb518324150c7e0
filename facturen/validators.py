"""Checks of the numbers on an invoice, by python-stdnum (their published check digits)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import iban
from stdnum.eu import vat


def validate_iban(value: str) -> None:
    if not iban.is_valid(value):
        raise ValidationError(_("This is not a valid IBAN."), code="invalid")


def validate_vat_number(value: str) -> None:
    if not vat.is_valid(value):
        raise ValidationError(
            _("This is not a valid VAT number (such as NL123456789B01)."), code="invalid"
        )
