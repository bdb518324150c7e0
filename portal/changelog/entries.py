"""The history of the file as a viewer reads it: who changed which field of which record, from
what to what, when and through which path. Rows come through the scoping layer
(``RecordChange.objects.visible_to``); what a viewer reads of each row is
``portal.access.history``'s decision. A page costs a fixed number of queries: the rows, then
one query per kind of record named in them (foreign keys) and one for the people."""

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db import models
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import access
from ..constants import ChangeVia
from ..models import RecordChange
from .registry import TRACKED, Tracked, by_label

PAGE_SIZE = 50

KINDS = {
    "I": gettext_lazy("Created"),
    "U": gettext_lazy("Changed"),
    "D": gettext_lazy("Removed"),
}


@dataclass
class FieldChange:
    name: str
    label: str
    new: str
    old: str | None = None
    #: The value before the change exists but was not the viewer's to read then.
    old_hidden: bool = False


@dataclass
class Entry:
    at: datetime.datetime
    kind: str
    kind_label: str
    record_label: str
    record_url: str
    by: str
    via: str
    via_code: str
    #: The record (a child row: None) as the API names it: its history's key and its UUID.
    record_key: str | None = None
    record_uuid: str | None = None
    fields: list[FieldChange] = field(default_factory=list)


def trajectory_rows(user, trajectory) -> QuerySet:
    """The changes to ``trajectory``'s file that ``user`` may read, newest first (in the order
    the database wrote them: a clock may differ between machines, the sequence does not). The
    caller found the trajectory through the scoping layer."""
    cts = ContentType.objects.get_for_models(
        apps.get_model("trajecten.SicknessCase"), apps.get_model("trajecten.Extension")
    )
    case, extension = (
        cts[apps.get_model("trajecten.SicknessCase")],
        cts[apps.get_model("trajecten.Extension")],
    )
    return (
        RecordChange.objects.visible_to(user)
        .filter(
            Q(trajectory_id=trajectory.pk)
            | Q(content_type=case, object_id=trajectory.sickness_case_id)
            | Q(content_type=extension, snapshot__case_id=trajectory.sickness_case_id)
        )
        .filter(_changes_readable(user))
        .order_by("-id")
    )


def _changes_readable(user) -> Q:
    """A change of fields the viewer does not read (a report's PDF made, a reminder's time)
    is no entry for them: left out in the query, so that every page is a full page."""
    readable = Q(change_type__in=["I", "D"])
    for tracked in TRACKED:
        model = apps.get_model(tracked.label)
        columns = [f.column for f in access.history_fields(model, user)]
        if columns:
            ct = ContentType.objects.get_for_model(model)
            readable |= Q(content_type=ct, changes__has_any_keys=columns)
    return readable


def record_rows(user, tracked: Tracked, record) -> QuerySet:
    """The changes to ``record`` (and its child rows) that ``user`` may read, newest first."""
    model = type(record)
    own = ContentType.objects.get_for_model(model)
    condition = Q(content_type=own, object_id=record.pk)
    for child in TRACKED:
        if child.parent is None:
            continue
        child_model = apps.get_model(child.label)
        if child_model._meta.get_field(child.parent).related_model is model:
            column = child_model._meta.get_field(child.parent).column
            condition |= Q(
                content_type=ContentType.objects.get_for_model(child_model),
                **{f"snapshot__{column}": record.pk},
            )
    return (
        RecordChange.objects.visible_to(user)
        .filter(condition)
        .filter(_changes_readable(user))
        .order_by("-id")
    )


def page_of(rows: QuerySet, number) -> Page:
    return Paginator(rows, PAGE_SIZE).get_page(number)


def entries(rows, user) -> list[Entry]:
    """``rows`` (already scoped) as ``user`` reads them; a change of nothing they may read is
    left out."""
    rows = list(rows)
    names = _Names(rows, user)
    result = []
    for row in rows:
        entry = _entry(row, user, names)
        if entry is not None:
            result.append(entry)
    return result


def _model_of(row):
    return ContentType.objects.get_for_id(row.content_type_id).model_class()


def _entry(row, user, names) -> Entry | None:
    model = _model_of(row)
    label = model._meta.label_lower
    fields = access.history_fields(model, user)
    snapshot = row.snapshot or {}
    changes = row.changes or {}
    shown = []
    if row.change_type == "U":
        before = {**snapshot, **{column: pair[0] for column, pair in changes.items()}}
        old_visible = access.old_values_visible(label, user, before)
        for f in fields:
            if f.column not in changes:
                continue
            old, new = changes[f.column]
            new_text = names.display(f, new)
            if new_text is None:
                continue
            old_text = names.display(f, old) if old_visible else None
            shown.append(FieldChange(f.name, field_label(f), new_text, old_text, not old_visible))
        if not shown:
            return None
    elif row.change_type == "I":
        for f in fields:
            value = snapshot.get(f.column)
            text = names.display(f, value)
            if text is None or value in (None, ""):
                continue
            shown.append(FieldChange(f.name, field_label(f), text))
    tracked = by_label(label)
    own_page = tracked is not None and tracked.parent is None and "uuid" in snapshot
    # SQLite keeps a UUID as 32 hex digits, PostgreSQL with hyphens: one form for both.
    record_uuid = str(uuid.UUID(str(snapshot["uuid"]))) if own_page else None
    return Entry(
        at=row.session_date,
        kind=row.change_type,
        kind_label=str(KINDS.get(row.change_type, "")),
        record_label=_described(model, tracked, fields, snapshot, names),
        record_url=reverse("portal:record_history", args=[tracked.key, record_uuid])
        if own_page and row.change_type != "D"
        else "",
        by=names.person(row.actor_id),
        via=str(ChangeVia(row.via).label) if row.via in ChangeVia.values else _("System"),
        via_code=row.via or "system",
        record_key=tracked.key if own_page else None,
        record_uuid=record_uuid,
        fields=shown,
    )


def _described(model, tracked, fields, snapshot, names) -> str:
    """The record's kind, and what tells it from others of its kind, of what the viewer reads."""
    readable = {f.name: f for f in fields}
    parts = []
    for name in tracked.describe if tracked else ():
        f = readable.get(name)
        value = snapshot.get(f.column) if f else None
        if value in (None, ""):
            continue
        text = names.display(f, value)
        if not text or text in ("—", "0"):
            continue
        if parts and text.isdigit():  # "Voortgangsrapportage 3"
            parts[-1] = f"{parts[-1]} {text}"
        else:
            parts.append(text)
    label = record_label(model)
    return f"{label}: {', '.join(parts)}" if parts else label


def field_label(f: models.Field) -> str:
    """The field's name as the forms show it; a foreign key without a name of its own is
    called after what it points to (``employee``: "Werknemer")."""
    label = f.verbose_name
    if f.is_relation and str(label) == f.name.replace("_", " "):
        label = f.related_model._meta.verbose_name
    label = str(label)
    return label[:1].upper() + label[1:]


def record_label(model) -> str:
    name = str(model._meta.verbose_name)
    return name[:1].upper() + name[1:]


class _Names:
    """Foreign keys and people named in a list of rows, read in one query per kind."""

    def __init__(self, rows, user):
        self.user = user
        wanted: dict[type[models.Model], set] = {}
        people = {row.actor_id for row in rows if row.actor_id}
        for row in rows:
            values = [*(row.snapshot or {}).items()]
            values += [(column, pair[0]) for column, pair in (row.changes or {}).items()]
            relations = {
                f.column: f for f in access.history_fields(_model_of(row), user) if f.is_relation
            }
            for column, value in values:
                f = relations.get(column)
                if f is None or value is None:
                    continue
                if f.related_model._meta.label_lower == "portal.user":
                    people.add(value)
                elif hasattr(f.related_model.objects, "visible_to"):
                    wanted.setdefault(f.related_model, set()).add(value)
        self.people = access.people_named_in_history(user, people)
        self.related = {
            model: {
                str(pk): str(obj)
                for pk, obj in model.objects.visible_to(user).in_bulk(list(ids)).items()
            }
            for model, ids in wanted.items()
        }

    def person(self, user_id) -> str:
        if not user_id:
            return _("Spoorboek (automatic)")
        return self.people.get(user_id, _("A former user"))

    def display(self, f: models.Field, value) -> str | None:
        """``value`` (as the database stored it in JSON) as the viewer reads it, or None when
        the field names a row they may not see."""
        if value is None or value == "":
            return "—"
        if f.is_relation:
            if f.related_model._meta.label_lower == "portal.user":
                return self.people.get(value, _("A former user"))
            return self.related.get(f.related_model, {}).get(str(value))
        try:
            value = f.to_python(value)
        except ValidationError:
            return str(value)
        if f.flatchoices:
            return str(dict(f.flatchoices).get(value, value))
        if isinstance(value, bool):
            return _("Yes") if value else _("No")
        if isinstance(value, datetime.datetime):
            if timezone.is_naive(value):
                value = timezone.make_aware(value, datetime.UTC)
            return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
        if isinstance(value, datetime.date):
            return formats.date_format(value, "SHORT_DATE_FORMAT")
        if isinstance(value, Decimal | float | int):
            return formats.localize(value)
        if isinstance(f, models.FileField):
            return _("a file")
        return str(value)
