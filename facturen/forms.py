"""Forms only parse; ``facturen.services`` checks the rules and writes."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import BillingAddress, InvoiceProfile


class ProfileForm(forms.ModelForm):
    class Meta:
        model = InvoiceProfile
        fields = ["legal_name", "street", "postcode", "city", "country", "kvk_number",
                  "vat_number", "iban", "email", "payment_term_days", "vat_rate", "grouping",
                  "number_prefix"]  # fmt: skip


class AddressForm(forms.ModelForm):
    class Meta:
        model = BillingAddress
        fields = ["name", "street", "postcode", "city", "country", "kvk_number", "vat_number",
                  "email", "reference"]  # fmt: skip


def _last_month_end():
    today = timezone.localdate()
    return today.replace(day=1) - timedelta(days=1)


class PricesForm(forms.Form):
    """A price, and an hourly rate for a product billed by the hour, per product of the
    agency; ``services.product_prices_set`` checks and writes."""

    def __init__(self, *args, products, **kwargs):
        super().__init__(*args, **kwargs)
        self.products = list(products)
        for product in self.products:
            self.fields[f"price_{product.kind}"] = forms.DecimalField(
                label=_("%(product)s: price excl. VAT (EUR)") % {"product": product},
                max_digits=8, decimal_places=2, initial=product.price,
            )  # fmt: skip
            if product.kind != product.Kind.RENEWAL:
                self.fields[f"hourly_{product.kind}"] = forms.DecimalField(
                    label=_("%(product)s: hourly rate excl. VAT (EUR)") % {"product": product},
                    max_digits=8, decimal_places=2, required=False,
                    initial=product.hourly_rate,
                    help_text=_("Only for a product billed by the hour: its trajectories are "
                                "invoiced for their billable time instead of the price."),
                )  # fmt: skip

    def prices(self) -> dict:
        data = self.cleaned_data
        return {
            p.kind: (data.get(f"price_{p.kind}"), data.get(f"hourly_{p.kind}"))
            for p in self.products
        }


class ProposeForm(forms.Form):
    until = forms.DateField(
        label=_("Bill everything up to and including"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=_last_month_end,
        help_text=_("Usually the last day of last month."),
    )


class CreditForm(forms.Form):
    positions = forms.TypedMultipleChoiceField(
        label=_("Lines to credit"), coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every line not credited yet."),
    )  # fmt: skip
    reason = forms.CharField(label=_("Reason of the correction"), max_length=500)

    def __init__(self, *args, lines=(), **kwargs):
        super().__init__(*args, **kwargs)
        # The line's text is the invoice's, in Dutch whatever the page's language.
        self.fields["positions"].choices = [
            (line.position, format_html('{}. <span lang="nl">{}</span>', line.position,
                                        line.description))
            for line in lines
        ]  # fmt: skip
