from django.contrib.auth import password_validation
from django.utils.translation import ngettext


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's validator with a message our catalogues translate.

    Django 5.2's error message uses a ``%d`` msgid that its own nl/pl catalogues do not
    (yet) contain, so Dutch and Polish users would read it in English.
    """

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short. It must contain at least %(min_length)d character.",
            "This password is too short. It must contain at least %(min_length)d characters.",
            self.min_length,
        ) % {"min_length": self.min_length}


def not_in_future(message):
    """A validator: the day may not lie after today. One function for the service that checks
    the rule and for the form field that shows it together with the form's other errors."""
    from django.core.exceptions import ValidationError
    from django.utils import timezone

    def validate(day) -> None:
        if day and day > timezone.localdate():
            raise ValidationError(message, code="future")

    return validate


def first_sick_day_not_in_future(day) -> None:
    from django.utils.translation import gettext_lazy as _

    not_in_future(_("The first day of sickness cannot lie in the future."))(day)


def date_not_in_future(day) -> None:
    from django.utils.translation import gettext_lazy as _

    not_in_future(_("The date cannot lie in the future."))(day)
