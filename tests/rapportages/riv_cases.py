"""The hand-worked files of ``fixtures/riv_cases.json``: as the RIV check's input
(``riv_file``) and as a trajectory's file in the database (``build``), so the same case tests
the rules and the loader, the pages and the API."""

import json
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from rapportages import riv_check
from rapportages.constants import ReportStatus
from rapportages.models import Report, RivException
from sollicitaties.models import ApplicationActivity, ApplicationNorm
from sollicitaties.norm import Norm
from trajecten.constants import TrajectoryStatus
from trajecten.models import (
    ConversationReport,
    Extension,
    SearchFunction,
    SearchProfile,
    Training,
    WorkCapacity,
)

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "riv_cases.json").read_text())
CASES = {case["name"]: case for case in FIXTURE["cases"]}
STEP_FIELDS = {
    "probleemanalyse": "probleemanalyse_date",
    "plan_van_aanpak": "plan_van_aanpak_date",
    "notification_42": "notification_42_date",
    "first_year_evaluation": "first_year_evaluation_date",
    "current_assessment": "current_assessment_date",
    "final_evaluation": "final_evaluation_date",
}


def _day(value):
    return date.fromisoformat(value) if value else None


def _series(spec) -> list[date]:
    start, until = _day(spec["from"]), _day(spec["until"])
    if "every_days" in spec:
        return [
            start + timedelta(days=n)
            for n in range(0, (until - start).days + 1, spec["every_days"])
        ]
    return [
        start + timedelta(days=n)
        for n in range((until - start).days + 1)
        if (start + timedelta(days=n)).weekday() in spec["weekdays"]
    ]


def spec(name: str) -> dict:
    """The case's file: the base with its changes, its series of dates written out."""
    case = CASES[name]
    data = json.loads(json.dumps(FIXTURE["base"]))
    changes = dict(case["changes"])
    for key in ("steps", "reports"):
        data[key].update(changes.pop(key, {}))
    drops = {k: changes.pop(k, None) for k in ("drop_conversations", "drop_applications")}
    adds = {k: changes.pop(k, []) for k in ("add_conversations", "add_applications")}
    data.update(changes)
    for kind in ("conversations", "applications"):
        days = _series(data[kind])
        if drops[f"drop_{kind}"]:
            low, high = map(_day, drops[f"drop_{kind}"])
            days = [d for d in days if not low <= d <= high]
        data[kind] = sorted(days + [_day(d) for d in adds[f"add_{kind}"]])
    return data


def riv_file(name: str) -> riv_check.RivFile:
    d = spec(name)
    return riv_check.RivFile(
        first_sick_day=_day(d["first_sick_day"]),
        recovery_date=_day(d["recovery_date"]),
        extensions=tuple((_day(day), weeks) for day, weeks in d["extensions"]),
        steps={k: _day(v) for k, v in d["steps"].items()},
        wia_application=_day(d["wia_application"]),
        referral_date=_day(d["referral_date"]),
        intake=_day(d["intake"]),
        referral_basis=d["referral_basis"],
        advice_date=_day(d["advice_date"]),
        start=_day(d["start"]),
        end=_day(d["end"]),
        fml_date=_day(d["fml_date"]),
        capacity_hours=Decimal(d["capacity_hours"]) if d["capacity_hours"] else None,
        profiles=tuple(
            riv_check.ProfileFact(
                p["version"],
                _day(p["valid_from"]),
                Decimal(p["hours_per_week"]),
                p["functions"],
                p["sectors"],
            )
            for p in d["profiles"]
        ),
        conversations=tuple(d["conversations"]),
        applications=tuple(d["applications"]),
        norm=Norm(*d["norm"]),
        contact_days=d["contact_days"],
        reports=tuple(
            riv_check.ReportFact(*key.split("-")[:1], int(key.split("-")[1]), _day(day))
            for key, day in d["reports"].items()
            if day
        ),
        trainings=tuple(
            riv_check.TrainingFact(t["name"], _day(t["end_date"]), t["status"])
            for t in d["trainings"]
        ),
        exceptions=tuple(
            riv_check.ExceptionFact(
                e["rule"],
                e["subject"],
                e["reason_kind"],
                e["reason"],
                "Sanne",
                _day(d["start"]) or date(2026, 1, 1),
            )
            for e in d["exceptions"]
        ),
    )


def expected(name: str) -> tuple[set, set]:
    case = CASES[name]
    return (
        {tuple(x) for x in case["expect"]},
        {tuple(x) for x in case.get("excepted", [])},
    )


def _noon(day: date) -> datetime:
    return datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo("Europe/Amsterdam")).replace(
        hour=12
    )


def build(name: str, *, trajectory, specialist):
    """Write the case's file onto ``trajectory`` (a factory's, with ``specialist`` on it)."""
    d = spec(name)
    case = trajectory.sickness_case
    case.first_sick_day = _day(d["first_sick_day"])
    case.recovery_date = _day(d["recovery_date"])
    case.wia_application_date = _day(d["wia_application"])
    for key, field in STEP_FIELDS.items():
        setattr(case, field, _day(d["steps"][key]))
    case.save()
    for day, weeks in d["extensions"]:
        Extension.objects.create(case=case, kind="loonsanctie", weeks=weeks, decided_on=_day(day))
    t = trajectory
    t.referral_date, t.intake_date = _day(d["referral_date"]), _day(d["intake"])
    t.start_date, t.end_date = _day(d["start"]), _day(d["end"])
    t.referral_basis, t.referral_advice_date = d["referral_basis"], _day(d["advice_date"])
    t.status = (
        TrajectoryStatus.ENDED
        if d["end"]
        else TrajectoryStatus.ACTIVE
        if d["start"]
        else TrajectoryStatus.REFERRED
    )
    t.save()
    agency = t.agency
    agency.contact_alert_days = d["contact_days"]
    agency.save(update_fields=["contact_alert_days"])
    ApplicationNorm.objects.update_or_create(
        trajectory=t, defaults={"count": d["norm"][0], "weeks": d["norm"][1], "set_by": specialist}
    )
    WorkCapacity.objects.create(
        trajectory=t,
        advice_date=_day(d["fml_date"]),
        hours_per_week=Decimal(d["capacity_hours"]) if d["capacity_hours"] else None,
        limitations="Niet tillen boven 10 kg",
    )
    for p in d["profiles"]:
        profile = SearchProfile.objects.create(
            trajectory=t,
            version=p["version"],
            valid_from=_day(p["valid_from"]),
            sectors=", ".join(f"Sector {n}" for n in range(p["sectors"])),
            region="Utrecht",
            hours_per_week=Decimal(p["hours_per_week"]),
            author=specialist,
        )
        for n in range(p["functions"]):
            SearchFunction.objects.create(profile=profile, title=f"Functie {n}", reason="Past")
    ConversationReport.objects.bulk_create(
        ConversationReport(
            trajectory=t,
            agency=agency,
            date=day,
            kind="coaching",
            duration_minutes=45,
            summary="Gesprek",
            visibility="agency" if i % 2 else "employer",
            author=specialist,
        )
        for i, day in enumerate(d["conversations"])
    )
    ApplicationActivity.objects.bulk_create(
        ApplicationActivity(
            trajectory=t,
            agency=agency,
            date=day,
            kind="written_application",
            organisation=f"Werkgever {i}",
            vacancy_title="Medewerker",
            recorded_by=specialist,
            recorded_by_role="specialist",
        )
        for i, day in enumerate(d["applications"])
    )
    for tr in d["trainings"]:
        Training.objects.create(
            trajectory=t, name=tr["name"], end_date=_day(tr["end_date"]), status=tr["status"]
        )
    for key, day in d["reports"].items():
        if not day:
            continue
        kind, number = key.split("-")
        Report.objects.create(
            trajectory=t,
            agency=agency,
            kind=kind,
            number=int(number),
            period_start=t.start_date or _day(day),
            period_end=_day(day),
            due_date=_day(day),
            status=ReportStatus.FINAL,
            signed_by=specialist,
            signed_at=_noon(_day(day)),
        )
    for e in d["exceptions"]:
        RivException.objects.create(
            trajectory=t,
            rule=e["rule"],
            subject=e["subject"],
            reason_kind=e["reason_kind"],
            reason=e["reason"],
            signed_by=specialist,
            signed_at=_noon(_day(d["start"])),
        )
    return t
