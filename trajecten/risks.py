"""Risk signals for an employer's dashboard (domain.md section 2): each names the risk and, in
one sentence, what the employer should do about it. Pure functions over facts the dashboard has
already loaded; no database.

Signals, in the order UWV's RIV test would trip over them:

* the 2e spoor did not start by the latest date (week 58, or the first-year evaluation + 6
  weeks), started after that date, or started after week 52;
* the latest start is near (within 4 weeks) and the 2e spoor has not started;
* the last complete norm period had fewer applications than the norm;
* a report is past its due date and not delivered;
* no conversation with the employee for more than the agency's ``contact_alert_days``
  (counted from the start when there has been none): too little personal contact is a named
  cause of failed trajectories;
* the WIA application window (week 87 until week 93, moved by extensions) is open, or passed
  without a recorded application.

A recovered employee (recovery date recorded) or an ended trajectory has no signals.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import wvp
from .wvp import Level

SOON_DAYS = 28
WIA_WINDOW_OPENS_WEEK = 87


@dataclass(frozen=True)
class Risk:
    key: str
    level: Level
    message: str


def _day(value: date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def risks(
    *,
    dates: wvp.CaseDates,
    active: bool,
    below_norm: tuple[int, int] | None,
    overdue: list,
    today: date,
    last_contact: date | None = None,
    contact_days: int | None = None,
) -> list[Risk]:
    """``below_norm`` is (count, norm) of the last complete period when it fell short;
    ``overdue`` the reports past due (``rapportages.schedule.Due``); ``last_contact`` the
    latest conversation's date and ``contact_days`` the agency's limit (no check without it)."""
    if not active or (dates.recovery_date and dates.recovery_date <= today):
        return []
    found: list[Risk] = []

    def add(key: str, level: Level, message: str) -> None:
        found.append(Risk(key, level, message))

    first = dates.first_sick_day
    latest = wvp.latest_second_track_start(first, dates.first_year_evaluation)
    start = dates.second_track_start
    on = {"date": _day(latest)}
    if start is None and today > latest:
        add("second_track_late", Level.CRITICAL, _(
            "The 2e spoor had to start by %(date)s: agree the start with the agency this week, "
            "because UWV may impose a wage sanction."
        ) % on)  # fmt: skip
    elif start is None and (latest - today).days <= SOON_DAYS:
        add("second_track_due", Level.WARNING, _(
            "The 2e spoor must start by %(date)s: make sure the intake takes place before then."
        ) % on)  # fmt: skip
    elif start and start > latest:
        add("second_track_late", Level.CRITICAL, _(
            "The 2e spoor started after the latest date (%(date)s): write down in the "
            "re-integration file why it could not start earlier."
        ) % on)  # fmt: skip
    elif start and start > wvp.deadline_of_week(first, 52):
        add("second_track_after_52", Level.WARNING, _(
            "The 2e spoor started after week 52: keep the reason for the late start in the "
            "re-integration file."
        ))  # fmt: skip
    if below_norm is not None:
        add("below_norm", Level.WARNING, ngettext(
            "%(count)s of %(norm)s application in the last period: ask the specialist how the "
            "employee will reach the norm.",
            "%(count)s of %(norm)s applications in the last period: ask the specialist how the "
            "employee will reach the norm.",
            below_norm[1],
        ) % {"count": below_norm[0], "norm": below_norm[1]})  # fmt: skip
    if overdue:
        oldest = min(d.due_date for d in overdue)
        add("report_overdue", Level.CRITICAL, _(
            "A report was due on %(date)s and has not been delivered: ask the agency when it "
            "will come, because UWV checks that the file is complete."
        ) % {"date": _day(oldest)})  # fmt: skip
    days = days_without_contact(
        start=dates.second_track_start, last_contact=last_contact, today=today
    )
    if contact_days and days is not None and days > contact_days:
        add("little_contact", Level.WARNING, ngettext(
            "No conversation with the employee for %(days)s day: ask the agency to plan one, "
            "because too little personal contact makes a trajectory fail.",
            "No conversation with the employee for %(days)s days: ask the agency to plan one, "
            "because too little personal contact makes a trajectory fail.",
            days,
        ) % {"days": days})  # fmt: skip
    if dates.wia_application is None:
        wia_due = wvp.deadline_of_week(first, 93) + timedelta(days=7 * dates.extension_weeks)
        opens = wia_due - timedelta(days=7 * (93 - WIA_WINDOW_OPENS_WEEK + 1) - 1)
        if today > wia_due:
            add("wia_late", Level.CRITICAL, _(
                "The WIA application had to reach UWV by %(date)s: contact the employee and UWV "
                "today."
            ) % {"date": _day(wia_due)})  # fmt: skip
        elif today >= opens:
            add("wia_window", Level.WARNING, _(
                "The WIA application must reach UWV by %(date)s: check with the employee that "
                "the re-integratieverslag is ready."
            ) % {"date": _day(wia_due)})  # fmt: skip
    return found


def days_without_contact(*, start: date | None, last_contact: date | None, today: date):
    """Days since the latest conversation (or since the start, when there was none yet);
    ``None`` before the 2e spoor started."""
    if start is None or start > today:
        return None
    return (today - max(start, last_contact or start)).days
