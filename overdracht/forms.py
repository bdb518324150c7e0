"""The upload of a transfer archive: the form only parses; ``services.transfer_upload``
checks the archive and the choice."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal import access


class TransferUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Transfer archive (ZIP)"),
        help_text=_("A ZIP in the Spoorboek transfer format, version 1 (see the documentation)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,application/zip"}),
    )
    assign_to = forms.ModelChoiceField(
        label=_("Specialist for files whose own specialist is not on your staff"),
        queryset=None,
        required=False,
        help_text=_(
            "Leave empty when moving your own agency's files: every specialist named in the "
            "archive must then have an account here."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assign_to"].queryset = access.agency_staff(user.agency_id)
