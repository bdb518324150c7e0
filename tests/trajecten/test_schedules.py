"""Working days, the intake promise, monthly renewals and report due dates."""

from datetime import date

import pytest

from rapportages.schedule import next_progress_report_due, progress_report_due_dates
from trajecten.workdays import add_working_days


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2026, 4, 2), date(2026, 4, 13)),  # Good Friday and Easter Monday skipped
        (date(2026, 4, 22), date(2026, 4, 30)),  # King's Day (27 April) skipped
        (date(2026, 12, 24), date(2027, 1, 4)),  # Christmas and New Year, across the year end
        (date(2026, 11, 20), date(2026, 11, 27)),  # a plain week: Friday to Friday
    ],
)
def test_five_working_days_skip_weekends_and_dutch_public_holidays(start, expected):
    assert add_working_days(start, 5) == expected


@pytest.mark.parametrize(
    ("start", "dates"),
    [
        (date(2026, 1, 31), [date(2026, 4, 30), date(2026, 7, 31), date(2026, 10, 31)]),
        (date(2023, 11, 30), [date(2024, 2, 29), date(2024, 5, 30), date(2024, 8, 30)]),
        (date(2025, 12, 15), [date(2026, 3, 15), date(2026, 6, 15), date(2026, 9, 15)]),
    ],
)
def test_progress_reports_fall_due_every_three_months_from_the_start(start, dates):
    assert progress_report_due_dates(start, dates[-1]) == dates


def test_next_report_due_is_none_before_the_start_or_after_the_end():
    assert next_progress_report_due(None, date(2026, 1, 1)) is None
    assert next_progress_report_due(date(2026, 1, 31), date(2026, 4, 30)) == date(2026, 7, 31)
    assert next_progress_report_due(date(2026, 1, 31), date(2026, 5, 1), date(2026, 6, 1)) is None


def test_a_report_signed_before_its_due_date_is_not_the_next_one(cast, login):
    """Issue 39, item 6: the 3-month report, due 5 April and signed final on 2 April, is not
    shown as "next report due" on the caseload list or the employer's dashboard."""
    import time_machine
    from django.urls import reverse

    from rapportages.models import Report

    t = cast.traj_x1
    t.start_date = date(2026, 1, 5)
    t.save()
    assert next_progress_report_due(t.start_date, date(2026, 4, 2), None, {1}) == date(2026, 7, 5)
    report = Report.objects.create(
        trajectory=t, agency_id=t.agency_id, kind="progress", number=1,
        period_start=date(2026, 1, 5), period_end=date(2026, 4, 4), due_date=date(2026, 4, 5),
    )  # fmt: skip
    with time_machine.travel(date(2026, 4, 2), tick=False):
        before = login(cast.specialist_a).get(reverse("trajecten:list")).content.decode()
        assert "05-04-2026" in before
        Report.objects.filter(pk=report.pk).update(status="final")
        for user, url in [(cast.specialist_a, reverse("trajecten:list")),
                          (cast.contact_x1, reverse("dashboards:home"))]:  # fmt: skip
            html = login(user).get(url).content.decode()
            assert "05-04-2026" not in html and "05-07-2026" in html, user
