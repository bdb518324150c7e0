"""The WvP clock follows domain.md section 2 to the day."""

from datetime import date, timedelta

import pytest

from trajecten import wvp
from trajecten.wvp import CaseDates, Level, State, clock


def milestone(c, key):
    return next(m for m in c.milestones if m.key == key)


@pytest.mark.parametrize(
    ("first", "week", "expected"),
    [
        (date(2025, 1, 6), 6, date(2025, 2, 16)),  # +41
        (date(2025, 1, 6), 42, date(2025, 10, 26)),  # +293
        (date(2025, 1, 6), 52, date(2026, 1, 4)),  # +363, across a year end
        (date(2024, 2, 29), 6, date(2024, 4, 10)),  # from a leap day
        (date(2023, 12, 31), 91, date(2025, 9, 27)),  # +636 across two year ends
        (date(2023, 12, 31), 93, date(2025, 10, 11)),  # +650
    ],
)
def test_deadline_of_week_is_first_sick_day_plus_7n_minus_1(first, week, expected):
    assert wvp.deadline_of_week(first, week) == expected
    assert (expected - first).days == 7 * week - 1


@pytest.mark.parametrize(
    ("on", "week"),
    [(date(2025, 1, 6), 1), (date(2025, 1, 12), 1), (date(2025, 1, 13), 2), (date(2025, 1, 5), 0)],
)
def test_week_one_is_the_first_seven_days(on, week):
    assert wvp.wvp_week(date(2025, 1, 6), on) == week


def test_waiting_time_ends_after_727_days_and_extensions_add_whole_weeks():
    first = date(2024, 2, 29)
    assert wvp.waiting_time_end(first) == first + timedelta(days=727)
    assert wvp.waiting_time_end(first, 52) == first + timedelta(days=727 + 364)
    c = clock(CaseDates(first_sick_day=first, extension_weeks=10), date(2025, 1, 1))
    assert milestone(c, "waiting_time_end").due == first + timedelta(days=797)
    assert milestone(c, "wia_application").due == first + timedelta(days=650 + 70)
    assert milestone(c, "first_year_evaluation").due == first + timedelta(days=363)  # unmoved


def test_latest_second_track_start_is_evaluation_plus_42_days_or_end_of_week_58():
    first = date(2025, 1, 6)
    assert wvp.latest_second_track_start(first, None) == first + timedelta(days=405)
    assert wvp.latest_second_track_start(first, date(2025, 12, 20)) == date(2026, 1, 31)


def test_plan_van_aanpak_is_due_two_weeks_after_the_probleemanalyse():
    first = date(2025, 1, 6)
    c = clock(CaseDates(first, probleemanalyse=date(2025, 2, 10)), date(2025, 2, 12))
    assert milestone(c, "probleemanalyse").state == State.DONE
    assert milestone(c, "plan_van_aanpak").due == date(2025, 2, 24)
    assert milestone(c, "plan_van_aanpak").state == State.DUE


def test_milestone_states():
    first = date(2025, 1, 6)
    c = clock(CaseDates(first, notification_42=date(2025, 10, 20)), date(2025, 12, 10))
    assert milestone(c, "probleemanalyse").state == State.OVERDUE
    assert milestone(c, "notification_42").state == State.DONE
    assert milestone(c, "first_year_evaluation").state == State.DUE  # 4 Jan, within 28 days
    assert milestone(c, "final_evaluation").state == State.UPCOMING


def test_after_recovery_later_milestones_do_not_apply_and_no_signals():
    first = date(2025, 1, 6)
    c = clock(CaseDates(first, recovery_date=date(2025, 2, 1)), date(2026, 6, 1))
    assert milestone(c, "probleemanalyse").state == State.NOT_APPLICABLE
    assert milestone(c, "second_track_start").state == State.NOT_APPLICABLE
    assert c.signals == []


def test_second_track_started_after_week_52_is_a_warning():
    first = date(2025, 1, 6)
    c = clock(CaseDates(first, second_track_start=date(2026, 1, 20)), date(2026, 2, 1))
    assert [(s.key, s.level) for s in c.signals] == [
        ("second_track_started_after_week_52", Level.WARNING)
    ]


@pytest.mark.parametrize(
    "dates",
    [
        CaseDates(date(2025, 1, 6)),  # never started, past week 58
        CaseDates(date(2025, 1, 6), second_track_start=date(2026, 3, 1)),  # started too late
    ],
)
def test_second_track_not_started_by_week_58_is_critical(dates):
    c = clock(dates, date(2026, 3, 2))
    assert [(s.key, s.level) for s in c.signals] == [
        ("second_track_not_started_by_week_58", Level.CRITICAL)
    ]


def test_no_signal_while_week_58_has_not_passed():
    assert clock(CaseDates(date(2025, 1, 6)), date(2026, 2, 15)).signals == []


def test_elapsed_part_and_weeks_left():
    first = date(2025, 1, 6)
    c = clock(CaseDates(first), first + timedelta(days=363))
    assert c.week == 52
    assert c.weeks_left == 52
    assert c.elapsed_fraction == pytest.approx(364 / 728)
