"""The RIV test before UWV does it ("RIV-toets vooraf"): one trajectory's file, as of a date,
put through the questions UWV's arbeidsdeskundige asks of a re-integratieverslag, in UWV's
order (docs/domain.md §9, where every rule has its number and its source):

1. are the documents there (the employer's WvP steps, the 2e-spoor plan and every report that
   was due, final and on time);
2. and 3. were the efforts sufficient (the 2e spoor started in time and on an advice acted on,
   a search profile that exists, follows the latest FML and fits the capacity, contact
   without long gaps, the application norm met and never four weeks without a counting
   application, the trainings that were planned done, every report in the employee's hands
   before week 91);
4. is there a valid reason where a step was missed: an exception the specialist signed off
   (``RivException``) turns a finding into a stated reason; it stays on the page as such.

Pure functions over ``RivFile`` (what ``riv_facts`` loads, in a fixed number of queries for
any number of trajectories), like ``trajecten.wvp``: nothing here reads the database, so the
same file gives the same findings on the file page, the dashboards, the API and the UWV file.

**As of a date.** Every fact dated after ``on`` is left out (a step recorded later, a report
signed later, a conversation after it), so the check of a past day is the file as it stood
then. Two facts have no history and are read as they are now: a training's status and the
hours of the work capacity.

**The last day a repair counts.** UWV tests the file when the WIA application arrives: at the
latest at the end of week 93 (moved by every extension), or on the day the application was
recorded if that is earlier. What is repaired after that day is judged only in a loonsanctie,
so every finding names that day; once it has passed the panel says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import cached_property
from itertools import pairwise

from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sollicitaties.norm import Norm, periods
from trajecten import wvp
from trajecten.constants import TrainingStatus

from .models import Report
from .schedule import reports_due

#: A search profile must exist this many days after the start (the profile phase).
PROFILE_DAYS = 28
#: An advice must be acted on (the employer's referral) within this many days.
ADVICE_DAYS = 42
#: No stretch of this many days without a counting application.
QUIET_DAYS = 28
#: The WIA application is due by the end of this week (moved by extensions), and with it the
#: RIV: the last day a repair reaches UWV's test.
WIA_WEEK = 93
#: The employee applies for WIA, with copies of the reports, by the end of this week.
COPIES_WEEK = 91


class Severity(StrEnum):
    REJECT = "reject"  # UWV would reject the file: a wage sanction is likely
    QUESTION = "question"  # UWV would ask about it: answer it in the file


class Question(StrEnum):
    """UWV's order of questions (domain.md §2, §9)."""

    DOCUMENTS = "documents"
    EFFORTS = "efforts"


@dataclass(frozen=True)
class Rule:
    key: str
    code: str  # its number in docs/domain.md §9
    question: Question
    source: str  # where the rule comes from, as domain.md §9 names it


_SOURCE_PROCESGANG = "Regeling procesgang eerste en tweede ziektejaar; art. 71a WIA"
_SOURCE_ZW38 = "art. 38 Ziektewet"
_SOURCE_WERKWIJZER = "Werkwijzer Poortwachter (UWV)"
_SOURCE_BELEIDSREGELS = "Beleidsregels beoordelingskader poortwachter (UWV)"
_SOURCE_AGENCY = "instelling van het bureau"

RULES = {
    r.key: r
    for r in (
        Rule("wvp_missing", "R1", Question.DOCUMENTS, _SOURCE_PROCESGANG),
        Rule("wvp_late", "R2", Question.DOCUMENTS, _SOURCE_PROCESGANG),
        Rule("report_missing", "R3", Question.DOCUMENTS, "art. 65 WIA; " + _SOURCE_WERKWIJZER),
        Rule("report_late", "R4", Question.DOCUMENTS, _SOURCE_WERKWIJZER),
        Rule("second_track_late", "R5", Question.EFFORTS, _SOURCE_WERKWIJZER),
        Rule("advice_unrecorded", "R6", Question.EFFORTS, _SOURCE_WERKWIJZER),
        Rule("advice_late", "R7", Question.EFFORTS, _SOURCE_WERKWIJZER),
        Rule("profile_missing", "R8", Question.EFFORTS, _SOURCE_BELEIDSREGELS),
        Rule("profile_stale", "R9", Question.EFFORTS, _SOURCE_BELEIDSREGELS),
        Rule("profile_hours", "R10", Question.EFFORTS, _SOURCE_BELEIDSREGELS),
        Rule("profile_narrow", "R11", Question.EFFORTS, _SOURCE_BELEIDSREGELS),
        Rule("contact_gap", "R12", Question.EFFORTS, _SOURCE_WERKWIJZER + "; " + _SOURCE_AGENCY),
        Rule("norm_below", "R13", Question.EFFORTS, _SOURCE_BELEIDSREGELS + "; " + _SOURCE_AGENCY),
        Rule("no_applications", "R14", Question.EFFORTS, _SOURCE_BELEIDSREGELS),
        Rule("training_not_done", "R15", Question.EFFORTS, _SOURCE_BELEIDSREGELS),
        Rule("copies_late", "R16", Question.EFFORTS, "art. 65 WIA; " + _SOURCE_WERKWIJZER),
    )
}

#: The employer's WvP steps that belong in the RIV, with the clock's milestone each one is
#: due by (the actueel oordeel goes with the eindevaluatie).
WVP_DOCUMENTS = (
    ("probleemanalyse", "probleemanalyse"),
    ("plan_van_aanpak", "plan_van_aanpak"),
    ("notification_42", "notification_42"),
    ("first_year_evaluation", "first_year_evaluation"),
    ("current_assessment", "final_evaluation"),
    ("final_evaluation", "final_evaluation"),
)


@dataclass(frozen=True)
class ReportFact:
    """A report signed final: the day its first final version was signed."""

    kind: str
    number: int
    final_on: date


@dataclass(frozen=True)
class ProfileFact:
    version: int
    valid_from: date
    hours_per_week: Decimal | None
    functions: int
    sectors: int


@dataclass(frozen=True)
class TrainingFact:
    name: str
    end_date: date | None
    status: str


@dataclass(frozen=True)
class ExceptionFact:
    rule: str
    subject: str
    reason_kind: str
    reason: str
    signed_by: str
    signed_on: date
    uuid: object = None


@dataclass(frozen=True)
class RivFile:
    """What the check needs of one trajectory's file (``riv_facts.load``)."""

    first_sick_day: date
    recovery_date: date | None = None
    #: (decided on, weeks) of each extension
    extensions: tuple[tuple[date, int], ...] = ()
    steps: dict = field(default_factory=dict)  # WVP_DOCUMENTS key -> date recorded
    wia_application: date | None = None
    referral_date: date | None = None
    intake: date | None = None
    feasibility: bool = False
    referral_basis: str = ""
    advice_date: date | None = None
    start: date | None = None
    end: date | None = None
    fml_date: date | None = None
    capacity_hours: Decimal | None = None
    profiles: tuple[ProfileFact, ...] = ()
    conversations: tuple[date, ...] = ()
    applications: tuple[date, ...] = ()  # the counting ones, repeats left out
    norm: Norm = field(default_factory=lambda: Norm(4, 4))
    contact_days: int = 28
    #: Every report signed final (the schedule says which were due: ``_due_reports``).
    reports: tuple[ReportFact, ...] = ()
    trainings: tuple[TrainingFact, ...] = ()
    exceptions: tuple[ExceptionFact, ...] = ()


@dataclass(frozen=True)
class Evidence:
    text: str
    #: The tab of the file that holds the records: ("tab", "profile")
    link: tuple | None = None
    #: Only agency staff see it (e.g. a training's name: employers do not see trainings).
    agency_only: bool = False


@dataclass(frozen=True)
class Finding:
    rule: str
    subject: str
    severity: Severity
    repair_by: date
    #: (title, evidence, repair) in the active language, made when first read.
    words: Callable[[], tuple] = field(repr=False, compare=False)
    exception: ExceptionFact | None = None

    @cached_property
    def _words(self) -> tuple:
        title, evidence, repair = self.words()
        return title, tuple(evidence), repair

    @property
    def title(self) -> str:
        return self._words[0]

    @property
    def evidence(self) -> tuple[Evidence, ...]:
        return self._words[1]

    @property
    def repair(self) -> str:
        return self._words[2]

    @property
    def code(self) -> str:
        return RULES[self.rule].code

    @property
    def question(self) -> Question:
        return RULES[self.rule].question

    @property
    def source(self) -> str:
        return RULES[self.rule].source

    @property
    def open(self) -> bool:
        return self.exception is None


@dataclass(frozen=True)
class Result:
    on: date
    findings: tuple[Finding, ...]
    repair_by: date
    #: Not tested: the employee recovered (nothing for UWV to test).
    recovered: bool = False

    @property
    def open(self) -> list[Finding]:
        return [f for f in self.findings if f.open]

    @property
    def excepted(self) -> list[Finding]:
        return [f for f in self.findings if not f.open]

    @property
    def rejects(self) -> list[Finding]:
        return [f for f in self.open if f.severity == Severity.REJECT]

    @property
    def questions(self) -> list[Finding]:
        return [f for f in self.open if f.severity == Severity.QUESTION]

    @property
    def at_risk(self) -> bool:
        """What the dashboards count: a finding UWV would reject the file for, open."""
        return bool(self.rejects)

    @property
    def repair_window_closed(self) -> bool:
        return self.on > self.repair_by

    def by_question(self, question: Question) -> list[Finding]:
        return [f for f in self.open if f.question == question]

    def open_keys(self) -> set[tuple[str, str]]:
        """(rule, subject) of every open finding: what the tests compare."""
        return {(f.rule, f.subject) for f in self.open}


def _day(value: date) -> str:
    return date_format(value, "DATE_FORMAT")


def _on_or_before(day: date | None, on: date) -> date | None:
    return day if day and day <= on else None


def _extension_weeks(file: RivFile, on: date) -> int:
    """The weeks of extension decided by ``on``: they move weeks 91 to 104."""
    return sum(weeks for decided, weeks in file.extensions if decided <= on)


def repair_by(file: RivFile, on: date) -> date:
    """The last day a repair still reaches UWV's test: the WIA application's deadline (week 93,
    moved by the extensions decided by ``on``), or the recorded application if earlier."""
    deadline = wvp.deadline_of_week(file.first_sick_day, WIA_WEEK) + timedelta(
        days=7 * _extension_weeks(file, on)
    )
    applied = _on_or_before(file.wia_application, on)
    return min(deadline, applied) if applied else deadline


def check(file: RivFile, on: date) -> Result:
    """Every finding of ``file`` as of ``on``, in UWV's order."""
    last = repair_by(file, on)
    recovered = _on_or_before(file.recovery_date, on)
    if recovered:
        return Result(on, (), last, recovered=True)
    found: list[Finding] = []
    context = _Context(file, on, last, found)
    for part in (
        _documents,
        _reports,
        _second_track,
        _advice,
        _profile,
        _contact,
        _norm,
        _trainings,
        _copies,
    ):
        part(context)
    signed = {(e.rule, e.subject): e for e in file.exceptions}
    return Result(
        on,
        tuple(
            replace(f, exception=signed[(f.rule, f.subject)])
            if (f.rule, f.subject) in signed
            else f
            for f in found
        ),
        last,
    )


@dataclass
class _Context:
    file: RivFile
    on: date
    repair_by: date
    found: list

    def add(self, rule, subject, severity, words: Callable[[], tuple]) -> None:
        """A finding; ``words`` gives its title, evidence and repair when a page reads them
        (the dashboards count findings over thousands of files and read none)."""
        self.found.append(Finding(rule, subject, severity, self.repair_by, words))

    @property
    def start(self) -> date | None:
        return _on_or_before(self.file.start, self.on)

    @property
    def last_day(self) -> date:
        """The last day the file runs on: ``on``, or the trajectory's end if earlier."""
        end = _on_or_before(self.file.end, self.on)
        return min(self.on, end) if end else self.on

    @cached_property
    def due_reports(self) -> list[_Due]:
        return _due_reports(self.file, self.on)

    def week(self, day: date) -> int:
        return wvp.wvp_week(self.file.first_sick_day, day)


def _step_names() -> dict[str, str]:
    return {
        "probleemanalyse": _("Probleemanalyse"),
        "plan_van_aanpak": _("Plan van aanpak"),
        "notification_42": _("42-week notification to UWV"),
        "first_year_evaluation": _("Eerstejaarsevaluatie"),
        "current_assessment": _("Actueel oordeel of the company doctor"),
        "final_evaluation": _("Eindevaluatie"),
    }


def _documents(c: _Context) -> None:
    """R1, R2: the employer's WvP steps, due by the clock's milestones as of ``on``."""
    f = c.file
    steps = {key: _on_or_before(f.steps.get(key), c.on) for key, _m in WVP_DOCUMENTS}
    first = f.first_sick_day
    # The clock's deadlines (``trajecten.wvp``), without its labels: this runs per file.
    due_by = {
        "probleemanalyse": wvp.deadline_of_week(first, 6),
        "plan_van_aanpak": wvp.plan_van_aanpak_due(first, steps["probleemanalyse"]),
        "notification_42": wvp.deadline_of_week(first, 42),
        "first_year_evaluation": wvp.deadline_of_week(first, 52),
        "final_evaluation": wvp.deadline_of_week(first, 89),
    }
    for key, milestone in WVP_DOCUMENTS:
        _document(c, key, due_by[milestone], steps[key])


def _document(c: _Context, key: str, due: date, done: date | None) -> None:
    def name() -> str:
        return _step_names()[key]

    def when() -> str:
        return _("due by %(date)s (week %(week)s)") % {"date": _day(due), "week": c.week(due)}

    if done is None and c.on > due:
        c.add(
            "wvp_missing",
            key,
            Severity.REJECT,
            lambda: (
                _("%(step)s is not in the file") % {"step": name()},
                [Evidence(when()[:1].upper() + when()[1:], ("tab", "overview"))],
                _(
                    "Ask the employer for it and record its date on the trajectory's sickness "
                    "case; UWV asks for every prescribed document."
                ),
            ),
        )
    elif done and done > due:
        c.add(
            "wvp_late",
            key,
            Severity.QUESTION,
            lambda: (
                _("%(step)s was late") % {"step": name()},
                [
                    Evidence(
                        _("Held on %(done)s (week %(week)s), %(when)s")
                        % {"done": _day(done), "week": c.week(done), "when": when()}
                    )
                ],
                _("Record why it was late (an exception below): UWV asks for a reason."),
            ),
        )


@dataclass(frozen=True)
class _Due:
    kind: str
    number: int
    due: date
    final_on: date | None

    @property
    def label(self) -> str:
        return Report.name_of(kind=self.kind, number=self.number, version=1)


def _due_reports(file: RivFile, on: date) -> list[_Due]:
    """Every report the schedule asked for by ``on`` (``schedule.reports_due`` with the dates
    as they stood then), with the day its final version was signed if it was by ``on``."""
    end = _on_or_before(file.end, on)
    finals = {(r.kind, r.number): r for r in file.reports if r.final_on <= on}
    result = []
    for d in reports_due(
        start=_on_or_before(file.start, on),
        intake=_on_or_before(file.intake, on),
        end=end,
        ended=end is not None,
        feasibility=file.feasibility,
        today=on,
        lead_days=0,
    ):
        final = finals.get((d.kind, d.number))
        result.append(_Due(d.kind, d.number, d.due_date, final and final.final_on))
    return result


def _reports(c: _Context) -> None:
    """R3, R4: every report the schedule asked for by ``on``, final and on time."""
    for r in c.due_reports:
        if r.due < c.on:  # due today: it may still be signed today
            _report(c, r)


def _report(c: _Context, r: _Due) -> None:
    final_on = r.final_on
    subject = f"{r.kind}-{r.number}"
    link = ("tab", "reports")
    if final_on is None:
        c.add(
            "report_missing",
            subject,
            Severity.REJECT,
            lambda: (
                _("%(report)s is not final") % {"report": r.label},
                [Evidence(_("Due on %(date)s") % {"date": _day(r.due)}, link)],
                _("Finish it with the employee's response and sign it."),
            ),
        )
    elif final_on > r.due:
        days = (final_on - r.due).days
        c.add(
            "report_late",
            subject,
            Severity.QUESTION,
            lambda: (
                _("%(report)s was signed late") % {"report": r.label},
                [
                    Evidence(
                        ngettext(
                            "Due on %(due)s, final on %(final)s: %(days)s day late",
                            "Due on %(due)s, final on %(final)s: %(days)s days late",
                            days,
                        )
                        % {"due": _day(r.due), "final": _day(final_on), "days": days},
                        link,
                    )
                ],
                _("Record why it was late (an exception below)."),
            ),
        )


def _second_track(c: _Context) -> None:
    """R5: started by the latest start (first-year evaluation + 6 weeks, else week 58), or a
    valid reason signed off."""
    f = c.file
    evaluation = _on_or_before(f.steps.get("first_year_evaluation"), c.on)
    latest = wvp.latest_second_track_start(f.first_sick_day, evaluation)
    start = c.start

    def limit() -> str:
        return _("at the latest %(date)s (week %(week)s)") % {
            "date": _day(latest),
            "week": c.week(latest),
        }

    if start and start > latest:
        c.add(
            "second_track_late",
            "",
            Severity.REJECT,
            lambda: (
                _("The 2e spoor started late"),
                [
                    Evidence(
                        _("Started on %(start)s (week %(week)s), %(limit)s")
                        % {"start": _day(start), "week": c.week(start), "limit": limit()}
                    )
                ],
                _(
                    "Record the valid reason for the late start (concrete return to the own "
                    "employer within 3 months, AOW within a year, or another reason) as an "
                    "exception below."
                ),
            ),
        )
    elif start is None and c.on > latest:
        c.add(
            "second_track_late",
            "",
            Severity.REJECT,
            lambda: (
                _("The 2e spoor has not started"),
                [Evidence(_("It had to start %(limit)s") % {"limit": limit()})],
                _(
                    "Start the 2e spoor now, and record the valid reason for the delay as an "
                    "exception below."
                ),
            ),
        )


def _advice(c: _Context) -> None:
    """R6, R7: the advice the 2e spoor rests on is recorded, and acted on within 6 weeks
    (the employer's referral)."""
    f = c.file
    advice = _on_or_before(f.advice_date, c.on)
    if c.start and not (f.referral_basis and advice):
        c.add(
            "advice_unrecorded",
            "",
            Severity.QUESTION,
            lambda: (
                _("No advice recorded for the 2e spoor"),
                [
                    Evidence(
                        _(
                            "Who advised the 2e spoor (company doctor or arbeidsdeskundige) and "
                            "when is not recorded"
                        ),
                        ("tab", "overview"),
                    )
                ],
                _("Record the advice and its date in the trajectory's details."),
            ),
        )
    elif advice and f.referral_date and (f.referral_date - advice).days > ADVICE_DAYS:
        days = (f.referral_date - advice).days
        c.add(
            "advice_late",
            "",
            Severity.QUESTION,
            lambda: (
                _("The advice was acted on late"),
                [
                    Evidence(
                        ngettext(
                            "Advice of %(advice)s, referral on %(referral)s: %(days)s day, "
                            "more than 6 weeks",
                            "Advice of %(advice)s, referral on %(referral)s: %(days)s days, "
                            "more than 6 weeks",
                            days,
                        )
                        % {"advice": _day(advice), "referral": _day(f.referral_date), "days": days}
                    )
                ],
                _("Record why the referral took longer than 6 weeks (an exception below)."),
            ),
        )


def _profile(c: _Context) -> None:
    """R8-R11: a search profile exists 4 weeks after the start, follows the latest FML, fits
    the capacity's hours and is not narrow."""
    f = c.file
    if c.start is None:
        return
    in_force = [p for p in f.profiles if p.valid_from <= c.on]
    profile = max(in_force, key=lambda p: (p.valid_from, p.version), default=None)
    if profile is None:
        due = c.start + timedelta(days=PROFILE_DAYS)
        if c.on > due:
            c.add(
                "profile_missing",
                "",
                Severity.REJECT,
                lambda: (
                    _("There is no search profile"),
                    [
                        Evidence(
                            _("Needed by %(date)s, 4 weeks after the start") % {"date": _day(due)},
                            ("tab", "profile"),
                        )
                    ],
                    _(
                        "Agree a search profile with the employee, with a reason per function "
                        "why it is suitable."
                    ),
                ),
            )
        return

    def version() -> str:
        return _("version %(n)s of %(date)s") % {
            "n": profile.version,
            "date": _day(profile.valid_from),
        }

    fml = _on_or_before(f.fml_date, c.on)
    if fml and profile.valid_from < fml:
        c.add(
            "profile_stale",
            "",
            Severity.QUESTION,
            lambda: (
                _("The search profile is older than the latest FML"),
                [
                    Evidence(
                        _("Search profile %(version)s; FML or advice of %(fml)s")
                        % {"version": version(), "fml": _day(fml)},
                        ("tab", "profile"),
                    )
                ],
                _(
                    "Check the search profile against the new FML and agree a new version with "
                    "the employee."
                ),
            ),
        )
    if (
        profile.hours_per_week is not None
        and f.capacity_hours is not None
        and profile.hours_per_week > f.capacity_hours
    ):
        c.add(
            "profile_hours",
            "",
            Severity.REJECT,
            lambda: (
                _("The search profile asks more hours than the employee can work"),
                [
                    Evidence(
                        _(
                            "Search profile: %(profile)s hours a week; capacity: %(capacity)s "
                            "hours a week"
                        )
                        % {
                            "profile": _hours(profile.hours_per_week),
                            "capacity": _hours(f.capacity_hours),
                        },
                        ("tab", "profile"),
                    )
                ],
                _("Agree a search profile within the hours the FML allows."),
            ),
        )
    if profile.functions <= 1 or profile.sectors <= 1:
        c.add(
            "profile_narrow",
            "",
            Severity.QUESTION,
            lambda: (
                _("The search profile is narrow"),
                [
                    Evidence(
                        ngettext("%(n)s function", "%(n)s functions", profile.functions)
                        % {"n": profile.functions}
                        + ", "
                        + ngettext("%(n)s sector", "%(n)s sectors", profile.sectors)
                        % {"n": profile.sectors},
                        ("tab", "profile"),
                    )
                ],
                _("Widen it to more functions or sectors, or record why it is not wider."),
            ),
        )


def _hours(value: Decimal) -> str:
    value = Decimal(value).normalize()
    return str(value.quantize(Decimal(1)) if value == value.to_integral() else value)


def _gaps(points: list[date]) -> list[tuple[date, date]]:
    return list(pairwise(points))


def _longest(days: int, first: date, last: date) -> str:
    return ngettext(
        "Longest: %(days)s day, %(from)s – %(until)s",
        "Longest: %(days)s days, %(from)s – %(until)s",
        days,
    ) % {"days": days, "from": _day(first), "until": _day(last)}


def _contact(c: _Context) -> None:
    """R12: no stretch between conversations (from the start until today or the end) longer
    than the agency's limit."""
    f = c.file
    if c.start is None:
        return
    last = c.last_day
    points = [c.start, *sorted(d for d in f.conversations if c.start <= d <= last), last]
    long = [(a, b) for a, b in _gaps(points) if (b - a).days > f.contact_days]
    if not long:
        return
    a, b = max(long, key=lambda g: (g[1] - g[0]).days)
    c.add(
        "contact_gap",
        "",
        Severity.QUESTION,
        lambda: (
            _("Too long without a conversation"),
            [
                Evidence(
                    ngettext(
                        "%(n)s stretch longer than %(limit)s days without a conversation",
                        "%(n)s stretches longer than %(limit)s days without a conversation",
                        len(long),
                    )
                    % {"n": len(long), "limit": f.contact_days},
                    ("tab", "conversations"),
                ),
                Evidence(_longest((b - a).days, a, b)),
            ],
            _(
                "Hold a conversation now and keep in touch at least every %(limit)s days; record "
                "why a stretch was longer (an exception below)."
            )
            % {"limit": f.contact_days},
        ),
    )


def _norm(c: _Context) -> None:
    """R13, R14: the norm periods met, and never four weeks without a counting application."""
    f = c.file
    if c.start is None:
        return
    last = c.last_day
    end = _on_or_before(f.end, c.on)
    counted = [d for d in f.applications if c.start <= d <= last]
    complete = [
        p for p in periods(c.start, c.on, f.norm, counted, end) if p.complete and p.end < c.on
    ]
    below = [p for p in complete if not p.met]
    if below:
        c.add(
            "norm_below",
            "",
            Severity.QUESTION,
            lambda: (
                _("The application norm was not met"),
                [
                    Evidence(
                        _("Norm met in %(met)s of %(all)s periods (%(count)s per %(weeks)s weeks)")
                        % {
                            "met": len(complete) - len(below),
                            "all": len(complete),
                            "count": f.norm.count,
                            "weeks": f.norm.weeks,
                        },
                        ("tab", "applications"),
                    ),
                    *(
                        Evidence(
                            _("Period %(n)s, %(from)s – %(until)s: %(count)s of %(norm)s")
                            % {
                                "n": p.number,
                                "from": _day(p.start),
                                "until": _day(p.end),
                                "count": p.count,
                                "norm": p.required,
                            }
                        )
                        for p in below
                    ),
                ],
                _(
                    "Agree with the employee how the norm will be reached, and explain the short "
                    "periods in the next report."
                ),
            ),
        )
    # The days between two counting applications (from the day before the start, until the
    # day after the last day), without one: 28 of them in a row is four weeks.
    points = [c.start - timedelta(days=1), *sorted(counted), last + timedelta(days=1)]
    quiet = [(a, b) for a, b in _gaps(points) if (b - a).days - 1 >= QUIET_DAYS]
    if quiet:
        a, b = max(quiet, key=lambda g: (g[1] - g[0]).days)
        first, until = a + timedelta(days=1), b - timedelta(days=1)
        c.add(
            "no_applications",
            "",
            Severity.QUESTION,
            lambda: (
                _("Four weeks or more without a counting application"),
                [
                    Evidence(
                        _longest((until - first).days + 1, first, until),
                        ("tab", "applications"),
                    )
                ],
                _(
                    "Make sure applications are made and recorded every week; explain the quiet "
                    "weeks in the next report."
                ),
            ),
        )


OPEN_TRAINING = frozenset({TrainingStatus.PLANNED, TrainingStatus.IN_PROGRESS})


def _trainings(c: _Context) -> None:
    """R15: a training or test whose end date has passed is completed (or stopped, which the
    report explains)."""
    open_ = [
        t
        for t in c.file.trainings
        if t.end_date and t.end_date < c.on and t.status in OPEN_TRAINING
    ]
    if not open_:
        return
    c.add(
        "training_not_done",
        "",
        Severity.QUESTION,
        lambda: (
            ngettext(
                "%(n)s training or test is past its end and not completed",
                "%(n)s trainings or tests are past their end and not completed",
                len(open_),
            )
            % {"n": len(open_)},
            [
                Evidence(
                    _("%(name)s, until %(date)s") % {"name": t.name, "date": _day(t.end_date)},
                    ("tab", "trainings"),
                    agency_only=True,
                )
                for t in open_
            ],
            _("Record the result (completed, or stopped and why)."),
        ),
    )


def _copies(c: _Context) -> None:
    """R16: every report due by week 91 was final (and so in the employee's portal) before the
    end of week 91, when the employee applies for WIA with the RIV."""
    week_91 = wvp.deadline_of_week(c.file.first_sick_day, COPIES_WEEK) + timedelta(
        days=7 * _extension_weeks(c.file, c.on)
    )
    if c.on <= week_91:
        return
    late = [r for r in c.due_reports if r.due <= week_91 and r.final_on and r.final_on > week_91]
    if late:
        c.add(
            "copies_late",
            "",
            Severity.QUESTION,
            lambda: (
                _("Reports reached the employee after week 91"),
                [
                    Evidence(
                        _("%(report)s, final on %(date)s")
                        % {"report": r.label, "date": _day(r.final_on)},
                        ("tab", "reports"),
                    )
                    for r in late
                ],
                _(
                    "Give the employee the reports with the WIA application and record it (an "
                    "exception below)."
                ),
            ),
        )
