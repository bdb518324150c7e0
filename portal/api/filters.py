"""Filters shared by the API's list endpoints."""

from datetime import datetime, timedelta

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

MAX_OFFSET = timedelta(hours=14)  # the widest UTC offset in use anywhere
EARLIEST, LATEST = datetime(1900, 1, 1), datetime(9000, 1, 1)


class SafeIsoDateTimeField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date-time the database can store: a UTC offset within 14 hours."""

    def clean(self, value):
        parsed = super().clean(value)
        offset = parsed.utcoffset() if parsed else None
        if offset is not None and abs(offset) > MAX_OFFSET:
            raise forms.ValidationError(_("The time zone offset is out of range."))
        if parsed and not EARLIEST <= parsed.replace(tzinfo=None) <= LATEST:
            # Converted to UTC (or from it) a moment in year 1 or 9999 leaves the calendar.
            raise forms.ValidationError(_("Give a moment between the years 1900 and 9000."))
        return parsed


class UpdatedSinceFilter(django_filters.IsoDateTimeFilter):
    field_class = SafeIsoDateTimeField

    def __init__(self, **kwargs):
        kwargs.setdefault("field_name", "updated_at")
        kwargs.setdefault("lookup_expr", "gte")
        super().__init__(**kwargs)


class RecordFilter(django_filters.FilterSet):
    """A record of a file: by its trajectory, and changed since a moment (for sync)."""

    trajectory = django_filters.UUIDFilter(field_name="trajectory__uuid")
    updated_since = UpdatedSinceFilter()
