"""What a user may read of the history of the file (``RecordChange``, ``portal.changelog``).

A change is shown to a viewer who may see the record itself, as it is now and as it was just
after the change; what the record looked like before the change only if they could see that
too. So:

* agency staff read the history of every record they see (specialists: of their
  trajectories; admins: of every trajectory, but never of a medical note), also of removed
  records;
* an employee or employer contact reads the history of the records they see now
  (``visible_to``), and of those only the changes after which they could see the record: a
  conversation shared with the employer after it was edited shows the employer the sharing,
  never the text before it; a report, from its publication. A removed record's history is
  for the agency's eyes only;
* of a field the viewer reads the value only where they read it in the portal: an employer
  contact reads the free text an employer reads (``portal.medical.EMPLOYER_TEXT`` and the
  exempt fields it lists), never an application's private notes; a foreign key shows only
  what the viewer sees of the row it names (``history_fields``).

A child row (a search profile's function, a response to a report, an extension of the sickness
case) follows its parent.
"""

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from rapportages.constants import PUBLISHED
from trajecten.constants import Visibility

from ..changelog.registry import TRACKED, Tracked, by_label
from ..constants import Role
from ..medical import EMPLOYER_TEXT, EXEMPT
from ..models import RecordChange
from .rules import ALL, NONE, RECORD_RULES, _rule, apply_rules

__all__ = [
    "history_fields",
    "old_values_visible",
    "people_named_in_history",
]

STAFF = (Role.SPECIALIST, Role.AGENCY_ADMIN)

_SHARED_WITH_EMPLOYEE = [Visibility.EMPLOYEE, Visibility.EMPLOYER]
#: A false flag as either database writes it into a snapshot (SQLite: 0, PostgreSQL: false).
_NOT_MEDICAL = Q(snapshot__contains_medical=False) | Q(snapshot__contains_medical=0)

#: What the record looked like must have let the viewer see it, for the records whose
#: visibility depends on their own fields (a ``Q`` in ``RECORD_RULES``): (employee, employer
#: contact), as conditions on the snapshot a change left.
SNAPSHOT_RULES = {
    "trajecten.conversationreport": (
        Q(snapshot__visibility__in=_SHARED_WITH_EMPLOYEE),
        Q(snapshot__visibility=Visibility.EMPLOYER) & _NOT_MEDICAL,
    ),
    "trajecten.document": (
        Q(snapshot__visibility__in=_SHARED_WITH_EMPLOYEE),
        Q(snapshot__visibility=Visibility.EMPLOYER),
    ),
    "rapportages.report": (
        Q(snapshot__status__in=PUBLISHED)
        | (Q(snapshot__status="draft") & ~Q(snapshot__review_requested_at=None)),
        Q(snapshot__status__in=PUBLISHED)
        | (
            Q(snapshot__status="draft", snapshot__kind="trajectory_plan")
            & ~Q(snapshot__review_requested_at=None)
        ),
    ),
}

#: The same conditions in Python, on the record as it was before a change.
_SNAPSHOT_TESTS = {
    "trajecten.conversationreport": (
        lambda s: s.get("visibility") in _SHARED_WITH_EMPLOYEE,
        lambda s: s.get("visibility") == Visibility.EMPLOYER and not s.get("contains_medical"),
    ),
    "trajecten.document": (
        lambda s: s.get("visibility") in _SHARED_WITH_EMPLOYEE,
        lambda s: s.get("visibility") == Visibility.EMPLOYER,
    ),
    "rapportages.report": (
        lambda s: (
            s.get("status") in PUBLISHED
            or (s.get("status") == "draft" and s.get("review_requested_at") is not None)
        ),
        lambda s: (
            s.get("status") in PUBLISHED
            or (
                s.get("status") == "draft"
                and s.get("kind") == "trajectory_plan"
                and s.get("review_requested_at") is not None
            )
        ),
    ),
}

#: Columns never shown: keys, the agency, the row's own links, hashes and timestamps the
#: history has anyway.
HIDDEN_COLUMNS = frozenset(
    {
        "id",
        "uuid",
        "agency_id",
        "trajectory_id",
        "created_at",
        "idempotency_key",
        "idempotency_fingerprint",
        "repeat_of",
    }
)

#: Free text an employer contact reads nowhere, though the portal records it for the agency.
_PRIVATE_FROM_EMPLOYER = {"sollicitaties.applicationactivity": {"notes"}}


def _model(tracked: Tracked) -> type[models.Model]:
    return apps.get_model(tracked.label)


def _record_rule(model, role) -> Q | None:
    """The model's ``RECORD_RULES`` entry for ``role`` (ALL when the model has none: the
    trajectory and the sickness case, seen with the trajectory)."""
    rule = RECORD_RULES.get(model)
    if rule is None:
        return ALL
    employee, contact, admin = rule
    return {Role.EMPLOYEE: employee, Role.EMPLOYER_CONTACT: contact, Role.AGENCY_ADMIN: admin}.get(
        role, ALL
    )


def _condition(tracked: Tracked, user, cts: dict[str, int]) -> Q | None:
    """The history rows of ``tracked`` that ``user`` may read, or None."""
    own = _model(by_label(_parent_label(tracked)) if tracked.parent else tracked)
    rule = _record_rule(own, user.role)
    if rule is NONE:
        return None
    ct = Q(content_type_id=cts[tracked.label])
    if user.role == Role.AGENCY_ADMIN:
        return ct
    visible = apply_rules(own.objects.all(), user).values("pk")
    if tracked.parent:
        return ct & Q(**{f"{_parent_alias(tracked)}__in": visible})
    if user.role == Role.SPECIALIST:
        if tracked.trajectory is None:  # the sickness case and its extensions
            return ct & Q(object_id__in=visible)
        trajectories = apply_rules(_model(by_label("trajecten.trajectory")).objects.all(), user)
        return ct & Q(trajectory_id__in=trajectories.values("pk"))
    condition = ct & Q(object_id__in=visible)
    if rule is not ALL:
        employee_q, contact_q = SNAPSHOT_RULES[tracked.label]
        condition &= employee_q if user.role == Role.EMPLOYEE else contact_q
    return condition


def _parent_alias(tracked: Tracked) -> str:
    return "parent_of_" + tracked.key.replace("-", "_")


def _parent_column(tracked: Tracked):
    """The parent's id in a child row's snapshot, as a number (SQLite and PostgreSQL)."""
    column = _model(tracked)._meta.get_field(tracked.parent).column
    return Cast(KT(f"snapshot__{column}"), models.BigIntegerField())


def _parent_label(tracked: Tracked) -> str:
    return _model(tracked)._meta.get_field(tracked.parent).related_model._meta.label_lower


def _content_types() -> dict[str, int]:
    models_ = [_model(tracked) for tracked in TRACKED]
    found = ContentType.objects.get_for_models(*models_)
    return {model._meta.label_lower: ct.pk for model, ct in found.items()}


@_rule(RecordChange)
def _record_changes(qs: QuerySet, user) -> QuerySet:
    cts = _content_types()
    qs = qs.alias(**{_parent_alias(t): _parent_column(t) for t in TRACKED if t.parent is not None})
    condition = Q(pk__in=[])
    for tracked in TRACKED:
        found = _condition(tracked, user, cts)
        if found is not None:
            condition |= found
    return qs.filter(condition)


def old_values_visible(label: str, user, before: dict) -> bool:
    """Could ``user`` see the record as it was before a change (``before``: its columns)?"""
    if user.role in STAFF or label not in _SNAPSHOT_TESTS:
        return True
    employee_test, contact_test = _SNAPSHOT_TESTS[label]
    return (employee_test if user.role == Role.EMPLOYEE else contact_test)(before)


def history_fields(model: type[models.Model], user) -> list[models.Field]:
    """The fields of ``model`` whose values ``user`` reads in its history, in model order."""
    label = model._meta.label_lower
    fields = []
    for field in model._meta.concrete_fields:
        if field.column in HIDDEN_COLUMNS or field.name == "updated_at":
            continue
        if not _named(field) or isinstance(field, models.JSONField):
            continue  # bookkeeping of the portal (hashes, snapshots, reminder times)
        if user.role == Role.EMPLOYER_CONTACT and not _employer_reads(label, field):
            continue
        fields.append(field)
    return fields


def _named(field: models.Field) -> bool:
    """A field the forms name (a translated label), or a foreign key named after what it
    points to (``employee``); the others are the portal's own bookkeeping."""
    if isinstance(field.verbose_name, Promise):
        return True
    return field.is_relation and field.name == field.related_model._meta.model_name


def _employer_reads(label: str, field: models.Field) -> bool:
    if field.name in _PRIVATE_FROM_EMPLOYER.get(label, ()):
        return False
    if isinstance(field, models.CharField | models.TextField) and not field.choices:
        readable = set(EMPLOYER_TEXT.get(label, {}).get("fields", ())) | set(EXEMPT.get(label, {}))
        return field.name in readable
    return True


def people_named_in_history(user, ids) -> dict[int, str]:
    """The names of the people a history names (who made a change, whom a field names), for a
    viewer who may read that history: they are people of the viewer's agency who worked on a
    file the viewer sees (specialists, employer contacts, the employee), as the file's pages
    name them. An anonymised account (retention) reads as its blank name."""
    from ..models import User

    found = User.objects.filter(agency_id=user.agency_id, pk__in=list(ids))
    return {
        person.pk: person.get_full_name() or _("A former user")
        for person in found.only("id", "first_name", "last_name")
    }
