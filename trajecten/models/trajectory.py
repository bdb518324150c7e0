"""Records of the trajectory's course: phases, renewals, action lists and tasks."""

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from portal.models import Agency, Phase

from ..constants import Performer
from .base import AgencyFromParent, FileRecord, ScopedQuerySet


class PhaseChange(FileRecord):
    """Dated phase history, so a report can show the route taken."""

    phase = models.ForeignKey(Phase, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("from"), default=timezone.localdate)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    class Meta:
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")
        ordering = ["started_on", "created_at"]

    def __str__(self) -> str:
        return f"{self.phase.name} ({self.started_on:%d-%m-%Y})"


class Renewal(FileRecord):
    """One monthly renewal after the base period. The unique constraint makes the daily task
    safe to run twice or concurrently."""

    period_start = models.DateField(_("period start"))
    price = models.DecimalField(_("price excl. VAT (EUR)"), max_digits=8, decimal_places=2)

    class Meta:
        verbose_name = _("renewal")
        verbose_name_plural = _("renewals")
        ordering = ["period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["trajectory", "period_start"], name="renewal_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.period_start:%d-%m-%Y}"


class ActionTemplate(models.Model):
    """An agency's action list: tasks planned at week + day after the start."""

    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="action_templates")
    name = models.CharField(_("name"), max_length=200)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("action list")
        verbose_name_plural = _("action lists")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ActionTemplateItem(AgencyFromParent):
    agency_parent = "template"

    template = models.ForeignKey(ActionTemplate, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("task"), max_length=200)
    week = models.PositiveSmallIntegerField(
        _("week"), validators=[MinValueValidator(1), MaxValueValidator(104)]
    )
    day = models.PositiveSmallIntegerField(
        _("day"), default=1, validators=[MinValueValidator(1), MaxValueValidator(7)]
    )
    performer = models.CharField(
        _("performer"), max_length=20, choices=Performer.choices, default=Performer.SPECIALIST
    )
    reportable = models.BooleanField(_("reportable"), default=True)

    class Meta:
        verbose_name = _("action list item")
        verbose_name_plural = _("action list items")
        ordering = ["week", "day"]

    def __str__(self) -> str:
        return self.title

    def offset_days(self) -> int:
        """Week 1 day 1 is the start date itself."""
        return (self.week - 1) * 7 + (self.day - 1)


class Task(FileRecord):
    title = models.CharField(_("task"), max_length=200)
    due_date = models.DateField(_("due date"))
    performer = models.CharField(
        _("performer"), max_length=20, choices=Performer.choices, default=Performer.SPECIALIST
    )
    reportable = models.BooleanField(_("reportable"), default=True)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    source = models.ForeignKey(
        ActionTemplateItem, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["done_on", "due_date"]
        constraints = [
            models.UniqueConstraint(
                fields=["trajectory", "source"],
                condition=models.Q(source__isnull=False),
                name="task_once_per_template_item",
            )
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.done_on is None and self.due_date < today


def _new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(AgencyFromParent):
    """A user's private iCalendar feed of their appointments; revoking replaces the token."""

    agency_parent = "user"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=_new_feed_token)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)

    def revoke(self) -> None:
        self.token = _new_feed_token()
        self.save(update_fields=["token", "created_at"])
