"""Notices people want: per kind of notice, each person chooses the email at once, in a daily
or weekly digest, or none; the notice in Spoorboek itself is always there.

* ``deliver`` is the one way a notice reaches a person: it makes the in-app notice and, by the
  person's choice, sends the email now (first, so a failing mail server retries the task
  before anything is recorded), leaves it waiting for their digest, or sends none.
* A digest is one email in the person's language listing what waits for it, sent by beat
  (``portal.tasks.send_due_digests``, hourly) once the person's chosen hour has come (and for
  the weekly digest their chosen day): never empty (nothing waiting, nothing sent), never twice
  (the day it went is claimed with a conditional update, as the survey reminders do, in the
  transaction that marks the notices emailed; a failing send rolls the claim back and the
  task retries). An hour beat missed is caught up the next hour; a notice that arrives after
  the day's digest went waits for the next one.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Min, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from . import access, notices, writes
from .constants import AuditAction, NoticeDelivery, NoticeKind
from .models import DigestSchedule, NoticePreference, Notification, User

DAILY, WEEKLY = NoticeDelivery.DAILY.value, NoticeDelivery.WEEKLY.value

#: Wording of in-app notices by their ``message``, registered by the app that sends them
#: (``rapportages.inbox``), so a digest words each in the reader's language of today.
_WORDINGS: dict[str, object] = {}


def register_wording(messages: Iterable[str], wording) -> None:
    for message in messages:
        _WORDINGS[message] = wording


def wording(notice: Notification) -> str:
    """The notice's sentence in the active language (its stored one when no app words it)."""
    word = _WORDINGS.get(notice.message)
    return word(notice) if word else notice.text


# --- Choosing --------------------------------------------------------------------------------


def delivery_for(user, kind: NoticeKind | str) -> str:
    found = NoticePreference.objects.filter(user=user, kind=kind).values_list("delivery", flat=True)
    return next(iter(found), NoticeDelivery.IMMEDIATE.value)


def preferences_of(user) -> dict[str, str]:
    """Every kind of notice the person can get, with their choice (default: at once)."""
    chosen = dict(NoticePreference.objects.visible_to(user).values_list("kind", "delivery"))
    return {
        kind: chosen.get(kind, NoticeDelivery.IMMEDIATE.value) for kind in access.notice_kinds(user)
    }


def schedule_of(user) -> DigestSchedule:
    """The person's digest hour and day (unsaved defaults when they never chose)."""
    found = DigestSchedule.objects.visible_to(user).first()
    return found or DigestSchedule(agency_id=user.agency_id, user=user)


@transaction.atomic
def notice_preferences_set(*, actor: User, choices: dict[str, str], hour: int, weekday: int):
    """Set the actor's own email choice per kind of notice, and their digest hour and day.
    A kind they cannot get, or a choice that does not exist, is refused."""
    kinds = access.notice_kinds(actor)
    writes.allowed(bool(kinds))
    for kind, delivery in choices.items():
        if kind not in kinds:
            writes.refuse(None, _("You get no notices of this kind: %(kind)s.") % {"kind": kind})
        if delivery not in NoticeDelivery.values:
            writes.refuse(None, _("There is no such choice: %(choice)s.") % {"choice": delivery})
    for kind, delivery in choices.items():
        NoticePreference.objects.update_or_create(
            user=actor, kind=kind, defaults={"delivery": delivery, "agency_id": actor.agency_id}
        )
    schedule = DigestSchedule.objects.select_for_update().filter(user=actor).first()
    schedule = schedule or DigestSchedule(agency_id=actor.agency_id, user=actor)
    changed = writes.apply(schedule, {"hour": hour, "weekday": weekday})
    writes.saved(
        schedule,
        actor=actor,
        changed=changed,
        creating=schedule._state.adding,
        notice_preferences=sorted(choices.items()),
    )
    return schedule


# --- Delivering ------------------------------------------------------------------------------


def deliver(
    *,
    user: User,
    kind: NoticeKind | str,
    message: str,
    params: dict,
    url: str,
    email: tuple[str, dict] | None,
) -> Notification:
    """Tell ``user``: the in-app notice (``message`` and ``params``, worded in their language
    by the app that registered ``message``), and the email (``(template, context)``) as they
    chose for ``kind``. A mail server that fails raises before anything is recorded (the task
    retries)."""
    delivery = delivery_for(user, kind) if email else NoticeDelivery.OFF.value
    now = None
    if delivery == NoticeDelivery.IMMEDIATE:
        template, context = email
        notices.send(template, context, to=[user.email], language=user.language)
        now = timezone.now()
    notice = Notification(
        agency_id=user.agency_id,
        user=user,
        kind=kind,
        url=url,
        message=message,
        params=params,
        digest=delivery if delivery in (DAILY, WEEKLY) else "",
        emailed_at=now,
    )
    with translation.override(user.language):
        notice.text = wording(notice)[:300]
    notice.save()
    return notice


# --- Digests ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Due:
    user_id: int
    agency_id: int
    period: str


def _week_start(day: date, weekday: int) -> date:
    """The day of this week's digest (the person's weekday on or before ``day``)."""
    return day - timedelta(days=(day.weekday() - weekday) % 7)


def _moment(schedule: DigestSchedule, period: str, local: datetime) -> datetime:
    """The latest moment ``schedule``'s digest of ``period`` was to go, at or before ``local``."""
    day = local.date() if period == DAILY else _week_start(local.date(), schedule.weekday)
    moment = local.replace(hour=schedule.hour, minute=0, second=0, microsecond=0)
    moment = moment.replace(year=day.year, month=day.month, day=day.day)
    if moment > local:  # its hour has not come yet today (this week): the one before
        moment -= timedelta(days=1 if period == DAILY else 7)
    return moment


def due(*, now: datetime) -> list[Due]:
    """The digests whose moment has come (the person's hour; for the weekly one their day),
    that did not go at that moment yet and that have a notice older than it waiting: a
    notice waits for the first digest moment after it. A sweep across agencies
    (``SystemTask``); an hour beat missed is caught up."""
    local = timezone.localtime(now)
    waiting = list(
        Notification.objects.filter(emailed_at__isnull=True)
        .exclude(digest="")
        .values("user_id", "agency_id", "digest")
        .annotate(oldest=Min("created_at"))
    )
    schedules = {
        s.user_id: s
        for s in DigestSchedule.objects.filter(user_id__in={row["user_id"] for row in waiting})
    }
    found = []
    for row in waiting:
        period = row["digest"]
        if period not in (DAILY, WEEKLY):
            continue
        schedule = schedules.get(row["user_id"]) or DigestSchedule(user_id=row["user_id"])
        moment = _moment(schedule, period, local)
        sent_on = schedule.daily_sent_on if period == DAILY else schedule.weekly_sent_on
        if row["oldest"] < moment and (sent_on or date.min) < moment.date():
            found.append(Due(row["user_id"], row["agency_id"], period))
    return found


def _claim(user: User, period: str, now: datetime) -> bool:
    """Mark the digest of this day (week) as going, in the caller's transaction: exactly one
    of two workers gets it (a conditional update)."""
    schedule, _created = DigestSchedule.objects.get_or_create(
        user=user, defaults={"agency_id": user.agency_id}
    )
    moment = _moment(schedule, period, timezone.localtime(now)).date()
    field = "daily_sent_on" if period == DAILY else "weekly_sent_on"
    claimed = (
        DigestSchedule.objects.filter(pk=schedule.pk)
        .filter(Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lt": moment}))
        .update(**{field: moment})
    )
    return claimed == 1


def digest_send(*, user_id: int, period: str, now: datetime) -> int:
    """Send ``user``'s daily or weekly digest if it is due and anything waits: one email
    listing the notices, then each marked emailed. Returns how many it listed (0: none sent).
    A failing mail server raises and rolls back the claim (the task retries)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or period not in (DAILY, WEEKLY):
        return 0
    with transaction.atomic():
        waiting = list(
            Notification.objects.filter(user=user, digest=period, emailed_at__isnull=True)
            .filter(created_at__lte=now)
            .order_by("created_at", "pk")
            .select_for_update(of=("self",))
        )
        if not waiting or not _claim(user, period, now):
            return 0
        with translation.override(user.language):
            items = [_item(notice) for notice in waiting]
        context = {
            "items": items,
            "period": period,
            "user": user,
            "settings_link": settings.SITE_URL + reverse("portal:notice_settings"),
        }
        notices.send("portal/email/digest", context, to=[user.email], language=user.language)
        Notification.objects.filter(pk__in=[n.pk for n in waiting]).update(emailed_at=now)
        writes.record(
            AuditAction.UPDATE,
            user,
            actor=None,
            details={"digest": period, "notices": len(waiting)},
        )
    return len(waiting)


#: What a digest says of a kind of notice whose own email names nobody (privacy): the message
#: email does not say whom a message is about, so its line in a digest does not either.
_UNNAMED_IN_EMAIL = {
    NoticeKind.MESSAGE.value: gettext_lazy("A new message about one of your trajectories")
}


def _item(notice: Notification) -> dict:
    unnamed = _UNNAMED_IN_EMAIL.get(notice.kind)
    return {
        "text": str(unnamed) if unnamed else wording(notice),
        "link": settings.SITE_URL + notice.url,
        "at": notice.created_at,
    }
