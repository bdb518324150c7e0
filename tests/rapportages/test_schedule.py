"""Reports appear when due, exactly once, also when the task runs twice or misses days."""

from datetime import date

import pytest
import time_machine

from portal.models import Product
from rapportages.models import Report
from rapportages.schedule import reports_due
from rapportages.tasks import schedule_reports


def keys(trajectory):
    return sorted(trajectory.reports.values_list("kind", "number", "due_date"))


def test_a_31_january_start_gets_reports_at_month_ends():
    due = reports_due(start=date(2026, 1, 31), intake=None, end=None, ended=False,
                      feasibility=False, today=date(2026, 11, 1), lead_days=0)  # fmt: skip
    assert [(d.kind, d.number, d.due_date) for d in due] == [
        ("progress", 1, date(2026, 4, 30)),
        ("progress", 2, date(2026, 7, 31)),
        ("progress", 3, date(2026, 10, 31)),
    ]
    assert due[1].period_start == date(2026, 4, 30)
    assert due[1].period_end == date(2026, 7, 30)


def test_drafts_appear_two_weeks_before_their_due_date(cast):
    t = cast.traj_x1
    t.start_date, t.referral_date, t.intake_date = (
        date(2026, 1, 31),
        date(2026, 1, 20),
        date(2026, 1, 25),
    )
    t.save()
    with time_machine.travel(date(2026, 4, 15)):
        schedule_reports.delay()
        assert keys(t) == [("trajectory_plan", 0, date(2026, 2, 8))]
    with time_machine.travel(date(2026, 4, 16)):  # 14 days before 30 April
        schedule_reports.delay()
    assert keys(t) == [("progress", 1, date(2026, 4, 30)), ("trajectory_plan", 0, date(2026, 2, 8))]


def test_running_twice_or_after_missed_days_makes_each_report_once(cast):
    t = cast.traj_x1
    t.start_date, t.referral_date = date(2025, 11, 30), date(2025, 11, 20)
    t.save()
    with time_machine.travel(date(2026, 9, 1)):  # months without a run: caught up at once
        first = schedule_reports.delay().get()
        second = schedule_reports.delay().get()
    assert (first, second) == (3, 0)
    assert [k[2] for k in keys(t)] == [date(2026, 2, 28), date(2026, 5, 30), date(2026, 8, 30)]


def test_an_ended_trajectory_gets_a_final_report_and_a_feasibility_study_an_advice(cast):
    ended, study = cast.traj_x1, cast.traj_x2
    ended.start_date, ended.end_date, ended.status = date(2026, 9, 1), date(2026, 10, 15), "ended"
    ended.closing_reason = "new_job"
    ended.save()
    study.start_date, study.end_date, study.status = date(2026, 9, 1), date(2026, 10, 20), "ended"
    study.product = Product.objects.get(agency=study.agency, kind="feasibility")
    study.save()
    with time_machine.travel(date(2026, 11, 1)):
        schedule_reports.delay()
    assert keys(ended) == [("final", 0, date(2026, 10, 29))]
    assert keys(study) == [("feasibility_advice", 0, date(2026, 11, 3))]


def test_closing_drafts_the_final_report_at_once(cast, login, on_commit):
    from django.urls import reverse

    on_commit(
        login(cast.specialist_a).post,
        reverse("trajecten:close", args=[cast.traj_x1.uuid]),
        {"closing_reason": "new_job", "end_date": date.today().isoformat(), "closing_note": ""},
    )
    assert cast.traj_x1.reports.filter(kind="final").count() == 1


def test_the_database_refuses_a_second_report_for_the_same_period(cast):
    from django.db import IntegrityError, transaction

    fields = {
        "trajectory": cast.traj_x1,
        "agency_id": cast.agency_a.pk,
        "kind": "progress",
        "number": 1,
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 3, 31),
        "due_date": date(2026, 4, 1),
    }
    Report.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(**fields)
