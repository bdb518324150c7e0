"""The benchmark command at a tiny scale: it seeds, measures everything and writes its table
and JSON (budgets apply to the reference data only; ``make bench`` runs that)."""

import json

from django.core.management import call_command
from django.db import connection


def test_bench_smoke(transactional_db, tmp_path, capsys):
    """Outside a transaction, as ``make bench`` runs: on PostgreSQL the reference agency
    alone is a real copy of the database (dropped again afterwards)."""
    out = tmp_path / "bench.json"
    call_command("bench", scale=0.002, runs=2, json_path=str(out), allow_sqlite=True, agencies=3)
    data = json.loads(out.read_text())
    # Platform scale: two more agencies seeded beside the reference agency, each page
    # measured with all three and, in the same loop, with the reference agency alone (a copy
    # taken before the others were seeded), and held to its figure there.
    assert data["platform"]["agencies"] == 3
    output = capsys.readouterr().out
    if connection.vendor == "postgresql":
        assert data["platform"]["agencies_alone"] == 1
        assert "_alone in" in output  # "Copied the database as ..._alone in 0.4 s."
        copy = connection.creation.get_test_db_clone_settings("alone")["NAME"]
        assert f"as {copy} in" in output
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [copy])
            assert cursor.fetchone()[0] == 0  # the copy is gone
    else:
        assert "the 'one agency' side is this one" in output
        assert data["platform"]["agencies_alone"] == 3
    assert data["runs"] == 2  # as asked (a platform run takes 60 unless told)
    alone = {r["name"] for r in data["one_agency"]}
    assert "employer dashboard (largest employer)" in alone and "specialist's caseload" in alone
    assert not any("dispatcher" in name or "PDF" in name for name in alone)
    caseload = next(r for r in data["results"] if r["name"] == "specialist's caseload")
    assert any("with one agency" in text for text, _ok in caseload["budgets"])
    names = [r["name"] for r in data["results"]]
    for expected in (
        "empty Django view",
        "employer dashboard (largest employer)",
        "employer dashboard, live poll",
        "specialist's caseload",
        "trajectory file, applications tab",
        "API list: trajectories",
        "API list: applications",
        "vacancy matching",
        "results page (agency, last 12 months)",
        "daily report dispatcher",
        "PDF of a progress report",
    ):
        assert any(name.startswith(expected) for name in names), expected
    assert all(r["median_ms"] > 0 for r in data["results"])
    assert len(caseload["samples_ms"]) == 2  # every run, for a look at the distribution
    # The same number of queries for a short and a long API list, and a constant dispatcher.
    assert all(r["ok"] for r in data["results"] if r["name"].startswith("API list"))
    assert "median" in output and "in the same loop as the pages below" in output


def test_a_page_against_itself_fails_only_when_both_measures_say_it_is_slower():
    """After the catch-up and a bulk import each page is held to its own figures a few
    minutes earlier: a plan that flipped (both slower) fails; a machine that halved its speed
    (the floor slowed too) or a floor an autovacuum made quick for a while does not."""
    from devtools.bench.measure import Result, _against_itself

    before = Result("caseload", median_ms=91.4, p95_ms=100.0, queries=16, ratio=49.8)
    _text, check = _against_itself(before, 1.5)

    def again(median_ms, ratio):
        return Result("caseload", median_ms=median_ms, p95_ms=median_ms, queries=16, ratio=ratio)

    assert check(again(95.0, 51.0))  # the same
    assert check(again(140.7, 41.7))  # the machine slowed down (run 2 of 2026-12-02)
    assert check(again(120.0, 80.0))  # the floor was quick for a while
    assert not check(again(574.0, 300.0))  # a plan flipped (the day of #21: 89 -> 574 ms)
    assert not check(again(140.0, None))  # no floor to tell a slow machine by


def test_with_every_agency_a_page_is_held_to_its_p95_alone_in_the_same_loop():
    """The tenant budget of a platform run: a page's p95 with every agency may be at most
    1.2x its p95 on the reference agency alone, both measured in one loop."""
    from devtools.bench.measure import Result, _tenants_growth

    alone = Result("caseload", 161.0, 170.0, 16)
    text, check = _tenants_growth(alone, resolution_ms=1.4)
    assert "170.0 ms" in text
    assert check(Result("caseload", 180.0, 204.0, 16))
    assert not check(Result("caseload", 190.0, 205.0, 16))
    # A page of a few ms may also grow by an empty request's time (the machine's jitter):
    # the unchanged live poll of 5 December, 1.5 ms alone and 1.8 ms with 50 agencies.
    _text, poll = _tenants_growth(Result("poll", 1.1, 1.5, 1), resolution_ms=1.4)
    assert poll(Result("poll", 1.1, 1.8, 1))
    assert poll(Result("poll", 1.2, 2.9, 1))
    assert not poll(Result("poll", 1.5, 3.0, 1))


def test_in_one_loop_the_two_sides_take_turns_call_by_call(db):
    """A slow phase of the machine (a few hundred ms) must land on both sides alike: the two
    sides' pages alternate, never one side's twice in a row, and each side's floor goes after
    its page in one run and before it in the next."""
    from devtools.bench.measure import Case, timed_together

    calls = []

    def recorder(name):
        return lambda: calls.append(name)

    cases = [
        Case(recorder("platform"), floor=recorder("platform floor")),
        Case(recorder("alone"), floor=recorder("alone floor")),
    ]
    platform, alone = timed_together(cases, runs=6, warmup=0)
    assert len(platform.samples_ms) == len(alone.samples_ms) == 6
    timed = calls[2:]  # after the one untimed call of each that counts the queries
    pages = [name for name in timed if not name.endswith("floor")]
    assert pages == ["platform", "alone"] * 6
    assert timed[:8] == [
        *("platform", "platform floor", "alone", "alone floor"),  # run 1: page, then floor
        *("platform floor", "platform", "alone floor", "alone"),  # run 2: floor, then page
    ]
