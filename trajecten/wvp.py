"""The Wet verbetering poortwachter clock: pure date arithmetic, no database.

Week N runs from day 7(N-1)+1 to day 7N after the first day of sickness (day 1 = week 1), so a
step due "in week N" has its deadline on ``first_sick_day + (7N - 1)`` days. The waiting time
ends on ``first_sick_day + 727`` days (the last day of week 104). An extension of E weeks
(loonsanctie or voluntary) adds 7E days to week 104 and to the WIA dates. The latest adequate
2e spoor start is the recorded first-year evaluation + 42 days, or else the end of week 58.

Every screen, report and API shows these dates through this module, so they always agree.
Not modelled: sick periods less than 4 weeks apart adding up to one waiting time; the first
day of sickness of the combined period is entered instead.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

WAITING_TIME_DAYS = 727
SOON_DAYS = 28


def deadline_of_week(first_sick_day: date, week: int) -> date:
    """The last day of WvP week ``week``."""
    return first_sick_day + timedelta(days=7 * week - 1)


def wvp_week(first_sick_day: date, on: date) -> int:
    """The WvP week ``on`` falls in (1 on the first day of sickness; 0 before it)."""
    if on < first_sick_day:
        return 0
    return (on - first_sick_day).days // 7 + 1


def waiting_time_end(first_sick_day: date, extension_weeks: int = 0) -> date:
    return first_sick_day + timedelta(days=WAITING_TIME_DAYS + 7 * extension_weeks)


def latest_second_track_start(first_sick_day: date, first_year_evaluation: date | None) -> date:
    if first_year_evaluation:
        return first_year_evaluation + timedelta(days=42)
    return deadline_of_week(first_sick_day, 58)


class State(StrEnum):
    DONE = "done"
    OVERDUE = "overdue"
    DUE = "due"  # deadline within SOON_DAYS
    UPCOMING = "upcoming"
    NOT_APPLICABLE = "not_applicable"  # recovered before it fell due


class Level(StrEnum):
    WARNING = "warning"
    CRITICAL = "critical"


@dataclass(frozen=True)
class Milestone:
    key: str
    label: str
    due: date
    done_on: date | None
    state: State
    week: int


@dataclass(frozen=True)
class Signal:
    key: str
    level: Level
    message: str


@dataclass(frozen=True)
class CaseDates:
    """What the clock needs from a sickness case and its trajectory."""

    first_sick_day: date
    recovery_date: date | None = None
    extension_weeks: int = 0
    probleemanalyse: date | None = None
    plan_van_aanpak: date | None = None
    notification_42: date | None = None
    first_year_evaluation: date | None = None
    second_track_start: date | None = None
    final_evaluation: date | None = None
    wia_application: date | None = None


@dataclass(frozen=True)
class Clock:
    today: date
    week: int
    end: date
    days_total: int
    days_elapsed: int
    milestones: list[Milestone] = field(default_factory=list)
    signals: list[Signal] = field(default_factory=list)

    @property
    def weeks_left(self) -> int:
        return max(0, (self.end - self.today).days // 7)

    @property
    def elapsed_fraction(self) -> float:
        return min(1.0, max(0.0, self.days_elapsed / self.days_total))

    def position(self, day: date) -> float:
        """Where ``day`` sits on the bar, 0..1."""
        start = self.end - timedelta(days=self.days_total - 1)
        return min(1.0, max(0.0, (day - start).days / self.days_total))


def _state(due: date, done_on: date | None, today: date, recovery: date | None) -> State:
    if done_on:
        return State.DONE
    if recovery and recovery <= due:
        return State.NOT_APPLICABLE
    if today > due:
        return State.OVERDUE
    if (due - today).days <= SOON_DAYS:
        return State.DUE
    return State.UPCOMING


def plan_van_aanpak_due(first_sick_day: date, probleemanalyse: date | None) -> date:
    """Two weeks after the probleemanalyse, or the end of week 8 while none is recorded."""
    if probleemanalyse:
        return probleemanalyse + timedelta(days=14)
    return deadline_of_week(first_sick_day, 8)


def clock(dates: CaseDates, today: date) -> Clock:
    first, ext = dates.first_sick_day, dates.extension_weeks
    pva_due = plan_van_aanpak_due(first, dates.probleemanalyse)
    extension = timedelta(days=7 * ext)
    plan = [
        ("probleemanalyse", _("Probleemanalyse"), deadline_of_week(first, 6),
         dates.probleemanalyse),
        ("plan_van_aanpak", _("Plan van aanpak"), pva_due, dates.plan_van_aanpak),
        ("notification_42", _("42-week notification to UWV"), deadline_of_week(first, 42),
         dates.notification_42),
        ("first_year_evaluation", _("Eerstejaarsevaluatie"), deadline_of_week(first, 52),
         dates.first_year_evaluation),
        ("second_track_start", _("Latest start of the 2e spoor"),
         latest_second_track_start(first, dates.first_year_evaluation), dates.second_track_start),
        ("final_evaluation", _("Eindevaluatie"), deadline_of_week(first, 89),
         dates.final_evaluation),
        ("wia_advice", _("WIA application advised (end of week 91)"),
         deadline_of_week(first, 91) + extension, dates.wia_application),
        ("wia_application", _("WIA application (at the latest week 93)"),
         deadline_of_week(first, 93) + extension, dates.wia_application),
        ("waiting_time_end", _("End of the waiting time (week 104)"),
         waiting_time_end(first, ext), None),
    ]  # fmt: skip
    milestones = []
    for key, label, due, done_on in plan:
        state = _state(due, done_on, today, dates.recovery_date)
        if key == "waiting_time_end" and state == State.OVERDUE:
            state = State.DONE  # the waiting time has simply run out
        milestones.append(Milestone(key, label, due, done_on, state, wvp_week(first, due)))
    end = waiting_time_end(first, ext)
    return Clock(
        today=today,
        week=wvp_week(first, today),
        end=end,
        days_total=(end - first).days + 1,
        days_elapsed=(min(today, end) - first).days + 1 if today >= first else 0,
        milestones=milestones,
        signals=_signals(dates, today),
    )


def _signals(dates: CaseDates, today: date) -> list[Signal]:
    if dates.recovery_date and dates.recovery_date <= today:
        return []
    signals = []
    first = dates.first_sick_day
    latest = latest_second_track_start(first, dates.first_year_evaluation)
    start = dates.second_track_start
    if (start and start > latest) or (not start and today > latest):
        signals.append(
            Signal(
                "second_track_not_started_by_week_58",
                Level.CRITICAL,
                _("The 2e spoor did not start in time (at the latest %(date)s): UWV may impose a "
                  "wage sanction.") % {"date": date_format(latest, "SHORT_DATE_FORMAT")},
            )
        )  # fmt: skip
    elif start and start > deadline_of_week(first, 52):
        signals.append(
            Signal(
                "second_track_started_after_week_52",
                Level.WARNING,
                _("The 2e spoor started after week 52: record why it could not start earlier."),
            )
        )
    return signals
