from django import forms
from django.utils.translation import gettext_lazy as _

from ..constants import WebhookEvent


class EndpointForm(forms.Form):
    """Parses only: the service checks the address (https, public) and the events."""

    url = forms.CharField(
        label=_("Address"),
        max_length=500,
        help_text=_("The address of your system that receives the events (https://…)."),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    description = forms.CharField(
        label=_("Description"), max_length=100, required=False, help_text=_("What receives them?")
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,  # the service says "choose at least one", in the same words as the API
    )
    is_active = forms.BooleanField(
        label=_("On"),
        required=False,
        initial=True,
        help_text=_("Switched off, events wait here and are sent once it is on again."),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not editing:
            del self.fields["is_active"]
