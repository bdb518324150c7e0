"""The release rule of the survey marks (issue 38, item 1): the small-number rule holds across
every pair of requests, not only inside one. Marks and comments come only for fixed periods
that do not overlap (a measurement year and its four 3-month blocks); any other period gives
counts only. The attack: two periods that differ by one closing day used to give the marks of
the one trajectory closed that day."""

from datetime import date, timedelta
from fractions import Fraction
from itertools import combinations

import pytest
import time_machine

from kwaliteit import outcomes
from kwaliteit.constants import MIN_RESPONSES
from kwaliteit.outcomes import CALENDAR, release_period

TODAY = date(2026, 10, 15)


def test_a_calendar_year_and_its_quarters_are_released_and_nothing_else():
    year = release_period(CALENDAR, date(2026, 1, 1), date(2026, 12, 31))
    assert year and year.block is None and len(year.spans) == 4
    assert year.spans[1] == (date(2026, 4, 1), date(2026, 6, 30))
    q3 = release_period(CALENDAR, date(2026, 7, 1), date(2026, 9, 30))
    assert q3 and q3.block == (date(2026, 7, 1), date(2026, 9, 30)) and q3.year == year.year
    for start, end in [
        (date(2026, 1, 1), date(2026, 6, 30)),  # half a year
        (date(2026, 1, 2), date(2026, 3, 31)),  # a quarter less its first day
        (date(2026, 1, 1), date(2026, 3, 30)),
        (date(2025, 7, 16), date(2026, 7, 15)),  # the last 12 months
        (date(2026, 2, 1), date(2026, 4, 30)),  # three months, not a block
        (date(2026, 1, 1), date(2027, 12, 31)),  # two years
    ]:
        assert release_period(CALENDAR, start, end) is None, (start, end)


def test_an_agencys_own_measurement_year_has_blocks_from_its_start():
    anchor = date(2025, 9, 1)
    year = release_period(anchor, date(2025, 9, 1), date(2026, 8, 31))
    assert year.spans == [
        (date(2025, 9, 1), date(2025, 11, 30)),
        (date(2025, 12, 1), date(2026, 2, 28)),
        (date(2026, 3, 1), date(2026, 5, 31)),
        (date(2026, 6, 1), date(2026, 8, 31)),
    ]
    assert release_period(anchor, date(2026, 9, 1), date(2027, 8, 31))  # the next year
    assert release_period(anchor, date(2024, 12, 1), date(2025, 2, 28))  # a block before it
    assert release_period(anchor, date(2026, 1, 1), date(2026, 3, 31)) is None  # a quarter


def test_years_and_blocks_from_29_february_follow_each_other_without_gap_or_overlap():
    anchor = date(2028, 2, 29)
    day = anchor
    for _ in range(12):  # 12 years: every block starts the day after the last ended
        year = release_period(anchor, day, day + timedelta(days=400))
        first = next(
            r
            for r in (release_period(anchor, day, day + timedelta(days=n)) for n in range(88, 93))
            if r
        )
        assert year is None and first.block and first.block[0] == day
        for block in first.blocks:
            assert block[0] == day
            assert release_period(anchor, *block).block == block
            day = block[1] + timedelta(days=1)


def test_the_last_quarter_of_year_9999_is_no_error():
    assert release_period(CALENDAR, date(9999, 10, 1), date(9999, 12, 31)) is None
    assert outcomes.quarters(date(9999, 10, 1), date(9999, 12, 31)) == [
        (date(9999, 10, 1), date(9999, 12, 31))
    ]


@pytest.fixture
def year_2026(cast, closed_trajectory, answered):
    """Employee answers: six in Q1, each closing on a day of its own; two in Q2; five in Q3.
    Employer answers: five in Q1, one in Q2. Over three BVs and two specialists."""
    bvs = (cast.x1, cast.x2, cast.y1)
    specialists = (cast.specialist_a, cast.specialist_a2)
    days = [
        *(date(2026, 1, 5) + timedelta(days=11 * i) for i in range(6)),  # Q1
        date(2026, 4, 14),
        date(2026, 6, 2),  # Q2
        *(date(2026, 7, 6) + timedelta(days=9 * i) for i in range(5)),  # Q3
    ]
    facts = []  # (end date, party, invitation id, bv, specialist)
    for i, end in enumerate(days):
        bv, specialist = bvs[i % 3], specialists[i % 2]
        t = closed_trajectory(bv, specialist, start=end - timedelta(days=200), end=end)
        mark = 1 + i % 10
        invitation = answered(t, marks=(mark, mark, 10 - mark), comment=f"opmerking {i}")
        facts.append((end, "employee", invitation.pk, bv, specialist))
        if i < 6 or i == 6:
            invitation = answered(t, "employer", marks=(mark, mark, mark))
            facts.append((end, "employer", invitation.pk, bv, specialist))
    return days, facts


def _revealed(result, facts, user, cast) -> list[frozenset]:
    """The answer sets whose average ``result`` shows: the period, each quarter row and each
    breakdown row, for each party (worked out from the facts, not from the code)."""
    visible = {
        "admin_a": lambda f: True,
        "contact_x_all": lambda f: f[3] in (cast.x1, cast.x2),
        "specialist_a": lambda f: f[4] == cast.specialist_a,
    }[user]
    release = release_period(CALENDAR, result.start, result.end)
    spans = release.spans if release else outcomes.quarters(result.start, result.end)

    def answers(party, start, end, extra=lambda f: True):
        return frozenset(
            f[2]
            for f in facts
            if f[1] == party and start <= f[0] <= end and visible(f) and extra(f)
        )

    sets = []
    for party in ("employee", "employer"):
        if getattr(result, party).overall is not None:
            sets.append(answers(party, result.start, result.end))
        for span, row in zip(spans, result.quarters, strict=True):
            if getattr(row, party).overall is not None:
                sets.append(answers(party, *span))
        for row, specialist in zip(
            result.by_specialist, (cast.specialist_a, cast.specialist_a2), strict=False
        ):
            if getattr(row, party).overall is not None:
                sets.append(
                    answers(party, result.start, result.end, lambda f, s=specialist: f[4] == s)
                )
        for row in result.by_employer:
            if getattr(row, party).overall is not None:
                employer = cast.employer_x if row.name == cast.employer_x.name else cast.employer_y
                sets.append(
                    answers(
                        party, result.start, result.end, lambda f, e=employer: f[3].employer == e
                    )
                )
    return sets


def _rank(vectors: list[list[Fraction]]) -> int:
    rows, rank = [list(v) for v in vectors], 0
    for col in range(len(rows[0]) if rows else 0):
        pivot = next((r for r in range(rank, len(rows)) if rows[r][col]), None)
        if pivot is None:
            continue
        rows[rank], rows[pivot] = rows[pivot], rows[rank]
        for r in range(len(rows)):
            if r != rank and rows[r][col]:
                factor = rows[r][col] / rows[rank][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[rank], strict=True)]
        rank += 1
    return rank


def _small_sets_worked_out(revealed: set[frozenset]) -> list[frozenset]:
    """The sets of fewer than MIN_RESPONSES answers whose sum of marks follows from the sums
    shown (their indicator lies in the span of the shown sets'): a reconstruction by any
    number of requests, not only two. Such a set is a union of atoms (answers that every
    shown set holds together or not at all), so the atoms' small unions are all there is to
    try."""
    ids = sorted(set().union(*revealed))
    signature = {i: frozenset(n for n, a in enumerate(revealed) if i in a) for i in ids}
    atoms = {}
    for i, sig in signature.items():
        atoms.setdefault(sig, set()).add(i)
    atoms = [frozenset(a) for a in atoms.values()]
    basis = [[Fraction(int(i in a)) for i in ids] for a in revealed]
    rank = _rank(basis)
    found = []
    for size in range(1, len(atoms) + 1):
        for combo in combinations(atoms, size):
            target = frozenset().union(*combo)
            if len(target) >= MIN_RESPONSES:
                continue
            vector = [Fraction(int(i in target)) for i in ids]
            if _rank([*basis, vector]) == rank:
                found.append(target)
    return found


@time_machine.travel(TODAY, tick=False)
@pytest.mark.parametrize("user", ["admin_a", "contact_x_all", "specialist_a"])
def test_no_requests_together_give_away_fewer_than_five_answers(cast, year_2026, user):
    """Every period a person would try (each closing day, the day before and after, the
    quarter and year edges, in every pair) and every fixed period, with every row of their
    tables: no answer set of fewer than five can be worked out from the averages shown (with
    the counts, which are always shown, an average is a sum). In particular, no two requests
    whose sets are nested differ by fewer than five answers."""
    days, facts = year_2026
    actor = getattr(cast, user)
    edges = {date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 1), date(2026, 12, 31)}
    edges |= {days[2], days[2] + timedelta(days=1), days[3] - timedelta(days=1), days[6]}
    periods = {(a, b) for a, b in combinations(sorted(edges), 2)}
    tiles = release_period(CALENDAR, date(2026, 1, 1), date(2026, 12, 31))
    periods |= {tiles.year, *tiles.blocks}
    revealed = set()
    for start, end in sorted(periods):
        result = outcomes.outcomes(user=actor, start=start, end=end, today=TODAY)
        if release_period(CALENDAR, start, end) is None:
            assert not result.marks_released
            assert result.employee.overall is None and result.employer.overall is None
            assert all(g.employee.overall is None for g in result.quarters)
            assert not result.comments
        revealed.update(_revealed(result, facts, user, cast))
    assert revealed  # the fixed periods do show marks
    for a, b in combinations(revealed, 2):
        if a < b:
            assert len(b - a) >= MIN_RESPONSES, (sorted(a), sorted(b))
    assert _small_sets_worked_out(revealed) == []


def test_the_reconstruction_check_finds_what_two_overlapping_periods_give_away():
    """The check itself: the old attack (a period, and the same period less one closing day)
    is found, and so is a difference hidden behind a third request."""
    assert _small_sets_worked_out({frozenset(range(8)), frozenset(range(7))}) == [frozenset({7})]
    three = {frozenset(range(10)), frozenset(range(5)), frozenset(range(5, 8))}
    assert frozenset({8, 9}) in _small_sets_worked_out(three)
    assert _small_sets_worked_out({frozenset(range(10)), frozenset(range(5))}) == []


@time_machine.travel(TODAY, tick=False)
def test_the_day_that_told_one_answer_tells_nothing_now(cast, year_2026, api):
    """The attack as it was made: two periods differing by the closing day of one employee."""
    days, _facts = year_2026
    client = api(cast.admin_a)
    one = client.get("/api/v1/outcomes/", {"start": "2026-01-01", "end": str(days[5])}).json()
    two = client.get(
        "/api/v1/outcomes/", {"start": "2026-01-01", "end": str(days[5] - timedelta(days=1))}
    ).json()
    assert one["employees"]["answered"] - two["employees"]["answered"] == 1  # counts: given
    for data in (one, two):
        assert data["marks_released"] is False
        assert data["employees"]["overall"] is None and data["employees"]["averages"] == {
            "guidance": None,
            "communication": None,
            "result": None,
        }


@time_machine.travel(TODAY, tick=False)
def test_a_quarter_is_shown_only_when_the_rest_of_its_year_stays_hidden_enough(cast, year_2026):
    """Employees: Q1 6, Q2 2, Q3 5 answers. Q2 alone is too few, so Q3 (the smallest shown)
    is hidden with it: the year minus Q1 then leaves seven answers, never Q2's two."""
    admin = cast.admin_a

    def employee_overall(start, end):
        return outcomes.outcomes(user=admin, start=start, end=end, today=TODAY).employee.overall

    assert employee_overall(date(2026, 1, 1), date(2026, 3, 31)) is not None
    assert employee_overall(date(2026, 4, 1), date(2026, 6, 30)) is None
    assert employee_overall(date(2026, 7, 1), date(2026, 9, 30)) is None  # five, yet hidden
    assert employee_overall(date(2026, 1, 1), date(2026, 12, 31)) is not None
    year = outcomes.outcomes(
        user=admin, start=date(2026, 1, 1), end=date(2026, 12, 31), today=TODAY
    )
    assert [q.employee.overall is not None for q in year.quarters] == [True, False, False, False]
