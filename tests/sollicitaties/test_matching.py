"""Matching that helps (#19, item 2): a suggestion needs a function match; region alone never
suggests a vacancy; each suggestion says why. A fixture of vacancies with its expected order."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.utils import translation

from sollicitaties import matching
from sollicitaties.models import Vacancy

TODAY = date(2026, 11, 29)

#: The agency's board: (title, category, place, hours per week).
FIXTURE = [
    ("Planner transport", "Logistiek", "Utrecht", 30),  # the function, region and hours
    ("Transportplanners", "", "Amersfoort", 40),  # the function as a compound, plural; region
    ("Klantcontactmedewerker", "Klantcontact", "Utrecht", 28),  # a related title; region, hours
    ("Voorraadbeheerder", "", "Zwolle", 30),  # related to magazijnadministrateur; hours
    ("Medewerker administratie planning", "", "Den Haag", 38),  # no function of the first profile
    ("Verpleegkundige", "Zorg", "Utrecht", 32),  # region and hours only: never
    ("Chauffeur C", "Transport", "Utrecht", 30),  # region and hours only: never
    ("Kokosnootverwerker", "", "Utrecht", 30),  # "kok" only as a fragment: never
]


@pytest.fixture
def board(cast):
    for title, category, place, hours in FIXTURE:
        Vacancy.objects.create(
            agency=cast.agency_a, title=title, organisation=f"Org {title}", place=place,
            function_category=category, hours_per_week=hours,
        )  # fmt: skip
    return Vacancy.objects.filter(agency=cast.agency_a)


def _profile(*titles, region="Utrecht en Amersfoort", hours=30):
    profile = SimpleNamespace(region=region, hours_per_week=Decimal(hours))
    return profile, [SimpleNamespace(title=t) for t in titles]


def test_suggestions_follow_the_function_then_region_and_hours(board):
    profile, functions = _profile("Planner", "Medewerker klantenservice", "Magazijnadministrateur")
    with translation.override("en"):
        found = matching.suggest(profile=profile, functions=functions, vacancies=board, today=TODAY)
    got = [(s.vacancy.title, s.score) for s in found]
    assert got == [
        ("Planner transport", 100),
        ("Klantcontactmedewerker", 85),
        ("Transportplanners", 85),
        ("Voorraadbeheerder", 60),
    ]
    reasons = {s.vacancy.title: s.reason for s in found}
    assert reasons["Planner transport"].startswith("matches the function 'Planner'")
    assert (
        "related to the function 'Medewerker klantenservice' (klantcontactmedewerker)"
        in (reasons["Klantcontactmedewerker"])
    )
    assert "in the region (Utrecht)" in reasons["Planner transport"]


def test_region_alone_never_suggests_a_vacancy(board):
    profile, functions = _profile("Planner")
    titles = {s.vacancy.title for s in matching.suggest(
        profile=profile, functions=functions, vacancies=board, today=TODAY)}  # fmt: skip
    assert "Verpleegkundige" not in titles and "Chauffeur C" not in titles
    profile, no_functions = _profile()
    assert (
        matching.suggest(profile=profile, functions=no_functions, vacancies=board, today=TODAY)
        == []
    )


def test_a_distinctive_word_counts_a_fragment_does_not(board):
    profile, functions = _profile("Kok", "Administratief medewerker")
    titles = [s.vacancy.title for s in matching.suggest(
        profile=profile, functions=functions, vacancies=board, today=TODAY)]  # fmt: skip
    assert "Kokosnootverwerker" not in titles
    assert titles == ["Medewerker administratie planning"]


def test_related_titles_come_from_the_occupation_groups():
    assert "transportplanner" in matching.related_titles("Planner")
    assert "klantcontactmedewerker" in matching.related_titles("medewerker klantenservice")
    assert matching.related_titles("astronaut") == set()
