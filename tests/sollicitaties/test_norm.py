"""Norm periods are aligned to the trajectory's start and are always 7 x weeks days long."""

from datetime import date, timedelta

import pytest

from sollicitaties.norm import Norm, period_of, periods


def test_periods_start_on_the_trajectory_start_and_count_only_their_own_days():
    start = date(2026, 12, 20)  # runs over the year end and through ISO week 53 of 2026
    result = periods(
        start,
        date(2027, 2, 20),
        Norm(4, 4),
        [
            date(2026, 12, 20),
            date(2027, 1, 1),
            date(2027, 1, 16),
            date(2027, 1, 17),
            date(2026, 12, 19),
        ],
    )
    assert [(p.start, p.end) for p in result] == [
        (date(2026, 12, 20), date(2027, 1, 16)),
        (date(2027, 1, 17), date(2027, 2, 13)),
        (date(2027, 2, 14), date(2027, 3, 13)),
    ]
    assert [p.count for p in result] == [3, 1, 0]
    assert [p.in_progress for p in result] == [False, False, True]
    assert [p.below for p in result] == [True, True, False]


def test_a_period_meeting_the_norm_is_met():
    start = date(2026, 1, 1)
    days = [start + timedelta(days=i) for i in (0, 5, 10, 20)]
    (first, _second) = periods(start, date(2026, 2, 1), Norm(4, 4), days)
    assert first.met and not first.below


def test_no_periods_before_the_start_and_none_after_the_end():
    start = date(2026, 3, 1)
    assert periods(start, date(2026, 2, 1), Norm(4, 4), []) == []
    ended = periods(start, date(2026, 12, 1), Norm(4, 2), [], end=date(2026, 3, 20))
    assert len(ended) == 2


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2028, 2, 29), (date(2028, 2, 24), date(2028, 3, 22))),  # a leap day
        (date(2027, 1, 1), (date(2026, 12, 31), date(2027, 1, 27))),  # across the year end
        (date(2026, 1, 1), (date(2026, 1, 1), date(2026, 1, 28))),  # the start itself
    ],
)
def test_period_of_a_day(day, expected):
    assert period_of(date(2026, 1, 1), day, 4) == expected
