"""The history of every record of the file: one row per insert, change or removal, written by
database triggers (``portal.changelog``), never by the application."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from history.models import AbstractObjectHistory

from ..constants import ChangeVia
from .audit import AppendOnlyQuerySet
from .tenants import Agency


class RecordChange(AbstractObjectHistory):
    """What one statement did to one row of a tracked table: ``change_type`` (I, U, D), the
    row's ``snapshot`` after it (before it, for a removal) and for a change ``changes``,
    ``{column: [old, new]}`` as the database stored them.

    ``session_id``/``session_date``, ``actor``, ``via`` and ``path`` come from the connection
    (set by ``portal.changelog.recording`` and the request's tenancy statement); ``agency`` and
    ``trajectory_id`` from the row itself (a trigger on this table), so a change made by a
    sweep across agencies is still its agency's, under row-level security. The trajectory is a
    plain number: the history of a removed record outlives it until retention removes both."""

    # The abstract model's session columns are required; here a write outside any recording
    # context (a shell, a data migration) still gets a row, the database filling in an id and
    # the time (``portal.changelog``).
    session_id = models.UUIDField(null=True, editable=False)
    # No database constraint: the triggers name content types by id, and history outlives
    # what it names (a flush in a test recreates the content types; the triggers follow).
    content_type = models.ForeignKey(
        ContentType, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    session_date = models.DateTimeField(_("time"), null=True, editable=False)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        editable=False,
    )
    trajectory_id = models.BigIntegerField(null=True, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
        editable=False,
        verbose_name=_("by"),
    )
    via = models.CharField(_("through"), max_length=10, choices=ChangeVia.choices, blank=True)
    path = models.CharField(_("path"), max_length=200, blank=True)

    USER_FIELD = "actor"

    objects = AppendOnlyQuerySet.as_manager()

    class Meta(AbstractObjectHistory.Meta):
        verbose_name = _("change")
        verbose_name_plural = _("history")
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="recordchange_object"),
            models.Index(fields=["agency", "trajectory_id"], name="recordchange_trajectory"),
        ]
