"""Model fields of the project's own."""

from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.formats import number_format
from django.utils.functional import cached_property, lazy
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


def _limit_said(n: int) -> str:
    return number_format(n, force_grouping=True)


class BoundedTextField(models.TextField):
    """Free text with a limit that fits what it holds (a conversation summary is not a book:
    a 200,000-character paste made a page 44,746 px tall). The limit is a model validator, so
    every write path (page, API, import) refuses more with the message at the field; the form
    field says the limit in its help text. The browser is not told (no ``maxlength``): it
    would cut a longer paste short without a word, and what a person typed is never lost."""

    def __init__(self, *args, max_length: int, **kwargs):
        super().__init__(*args, max_length=max_length, **kwargs)

    @cached_property
    def validators(self):
        return [*super().validators, MaxLengthValidator(self.max_length)]

    def formfield(self, **kwargs):
        field = super().formfield(**kwargs)
        field.widget.attrs.pop("maxlength", None)
        limit = _("At most %(n)s characters.")
        said = format_lazy("{}", lazy(lambda: limit % {"n": _limit_said(self.max_length)}, str)())
        field.help_text = format_lazy("{} {}", field.help_text, said) if field.help_text else said
        return field
