"""The RIV check finds exactly what was worked out by hand for each file of
``fixtures/riv_cases.json`` (clean files, each rule broken alone and together, on both sides
of every limit), from its pure input and from the same file in the database."""

from datetime import date

import pytest

from rapportages import riv_check, riv_facts
from tests.factories import (
    AgencyFactory,
    EmployerFactory,
    LegalEntityFactory,
    TrajectoryFactory,
    UserFactory,
)

from .riv_cases import CASES, FIXTURE, build, expected, riv_file

#: The rules whose findings UWV would reject the file for (domain.md §9).
REJECTING = {
    "wvp_missing",
    "report_missing",
    "second_track_late",
    "profile_missing",
    "profile_hours",
}


def test_the_fixture_holds_at_least_25_files_and_breaks_every_rule():
    assert len(CASES) >= 25
    broken = {rule for case in FIXTURE["cases"] for rule, _subject in case["expect"]}
    assert broken == set(riv_check.RULES)
    clean = [c for c in FIXTURE["cases"] if not c["expect"] and not c.get("excepted")]
    assert len(clean) >= 5


@pytest.mark.parametrize("name", list(CASES))
def test_the_check_finds_exactly_the_hand_worked_findings(name):
    on = date.fromisoformat(CASES[name]["on"])
    result = riv_check.check(riv_file(name), on)
    open_, excepted = expected(name)
    assert result.open_keys() == open_
    assert {(f.rule, f.subject) for f in result.excepted} == excepted
    # At risk: an open finding of a rule whose severity is "UWV would reject".
    assert result.at_risk == any(rule in REJECTING for rule, _subject in open_)


@pytest.mark.parametrize("name", list(CASES))
def test_the_same_file_in_the_database_gives_the_same_findings(db, name):
    agency = AgencyFactory()
    specialist = UserFactory(agency=agency, specialist=True)
    bv = LegalEntityFactory(employer=EmployerFactory(agency=agency))
    t = build(name, trajectory=TrajectoryFactory(legal_entity=bv, specialist=specialist),
              specialist=specialist)  # fmt: skip
    on = date.fromisoformat(CASES[name]["on"])
    result = riv_facts.result(user=specialist, trajectory=t, on=on)
    open_, excepted = expected(name)
    assert result.open_keys() == open_
    assert {(f.rule, f.subject) for f in result.excepted} == excepted


def test_every_finding_names_its_rule_source_evidence_and_last_repair_day():
    result = riv_check.check(riv_file("everything wrong at once"), date(2026, 7, 20))
    # Week 93 of a first sick day of 6 January 2025 ends on 18 October 2026.
    assert {f.repair_by for f in result.findings} == {date(2026, 10, 18)}
    for f in result.findings:
        assert f.code.startswith("R") and f.source and f.title and f.repair and f.evidence
    assert [f.question for f in result.findings] == sorted(
        (f.question for f in result.findings), key=list(riv_check.Question).index
    )


def test_the_last_repair_day_is_the_wia_application_when_it_came_earlier():
    file = riv_file("clean file in week 81")
    assert riv_check.repair_by(file, date(2026, 7, 20)) == date(2026, 10, 18)
    applied = riv_check.RivFile(**{**file.__dict__, "wia_application": date(2026, 10, 1)})
    assert riv_check.repair_by(applied, date(2026, 9, 30)) == date(2026, 10, 18)
    assert riv_check.repair_by(applied, date(2026, 10, 2)) == date(2026, 10, 1)
    sanction = riv_check.RivFile(**{**file.__dict__, "extensions": ((date(2026, 9, 1), 26),)})
    assert riv_check.repair_by(sanction, date(2026, 8, 31)) == date(2026, 10, 18)
    assert riv_check.repair_by(sanction, date(2026, 9, 1)) == date(2027, 4, 18)


def test_loading_the_check_costs_the_same_queries_for_one_file_and_for_many(db):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    agency = AgencyFactory()
    specialist = UserFactory(agency=agency, specialist=True)
    bv = LegalEntityFactory(employer=EmployerFactory(agency=agency))
    names = ["everything wrong at once", "late start with a signed-off valid reason",
             "the same with a loonsanctie of 26 weeks", "clean file in week 81"]  # fmt: skip
    ids = [
        build(n, trajectory=TrajectoryFactory(legal_entity=bv, specialist=specialist),
              specialist=specialist).pk
        for n in names
    ]  # fmt: skip
    riv_facts.results(user=specialist, ids=ids, on=date(2026, 10, 20))  # what is read once
    counts = []
    for some in (ids[:1], ids):
        with CaptureQueriesContext(connection) as ctx:
            found = riv_facts.results(user=specialist, ids=some, on=date(2026, 10, 20))
        assert len(found) == len(some)
        counts.append(len(ctx))
    assert counts == [riv_facts.QUERIES, riv_facts.QUERIES]
