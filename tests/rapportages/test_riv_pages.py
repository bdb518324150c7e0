"""The RIV check where people read it: the file's tab and the API, for whom they are meant,
with the same findings for the agency and the employer; signing off a reason and withdrawing
it; and each before/after edge of the fixture's files on the day itself (time-machine)."""

import itertools
import json
from collections import defaultdict
from datetime import date

import pytest
import time_machine
from django.urls import reverse

from portal.models import AuditEvent
from rapportages.models import RivException
from tests.conftest import CAST_NAMES

from .riv_cases import CASES, build, expected

RIV_VIEWERS = {"admin_a", "specialist_a", "contact_x_all", "contact_x1"}


def _tab(trajectory) -> str:
    return reverse("trajecten:file", args=[trajectory.uuid]) + "?tab=riv"


def _api(trajectory) -> str:
    return f"/api/v1/trajectories/{trajectory.uuid}/riv-check/"


@pytest.fixture
def riv_x1(cast):
    """traj_x1 holding the fixture's "everything wrong at once" file."""
    return build("everything wrong at once", trajectory=cast.traj_x1, specialist=cast.specialist_a)


@pytest.mark.parametrize("who", CAST_NAMES)
@time_machine.travel(date(2026, 7, 20), tick=False)
def test_the_check_answers_only_whom_it_is_meant_for(cast, riv_x1, login, api, who):
    user = getattr(cast, who)
    page = login(user).get(_tab(riv_x1))
    answer = api(user).get(_api(riv_x1))
    if who in RIV_VIEWERS:
        assert page.status_code == 200 and answer.status_code == 200
        assert 'id="riv-summary"' in page.content.decode()
        assert {f["rule"] for f in answer.json()["findings"]} == {
            rule for rule, _s in expected("everything wrong at once")[0]
        }
    elif who == "employee_x1":
        # The employee's file has no RIV tab (the page falls back to the overview), and the
        # API does not know the check for them.
        assert page.status_code == 200 and 'id="riv-summary"' not in page.content.decode()
        assert answer.status_code == 404
    else:
        assert page.status_code == 404 and answer.status_code == 404


@time_machine.travel(date(2026, 7, 20), tick=False)
def test_agency_and_employer_get_the_same_findings_the_employer_without_agency_only_evidence(
    cast, riv_x1, api
):
    agency = api(cast.specialist_a).get(_api(riv_x1)).json()
    employer = api(cast.contact_x1).get(_api(riv_x1)).json()

    def keys(body):
        return [(f["rule"], f["subject"], f["severity"], f["title"]) for f in body["findings"]]

    assert keys(agency) == keys(employer)
    assert agency["at_risk"] is employer["at_risk"] is True
    training = next(f for f in agency["findings"] if f["rule"] == "training_not_done")
    assert "Excel basis" in json.dumps(training)
    assert "Excel basis" not in json.dumps(employer)

    # The contact gaps are judged over every conversation (half of them agency-only here),
    # as the employer's dashboard judges contact: the same evidence for both.
    def gap(body):
        return [f["evidence"] for f in body["findings"] if f["rule"] == "contact_gap"]

    assert gap(agency) == gap(employer) != []


@time_machine.travel(date(2026, 7, 20), tick=False)
def test_a_reason_signed_off_shows_as_such_audited_and_can_be_withdrawn(cast, riv_x1, login, api):
    client = login(cast.specialist_a)
    url = reverse("rapportages:riv_exception", args=[riv_x1.uuid])
    form = client.get(url, {"rule": "second_track_late", "subject": ""})
    assert form.status_code == 200
    assert (
        "Concrete terugkeer" in form.content.decode() or "Concrete return" in form.content.decode()
    )
    empty = client.post(
        url, {"rule": "second_track_late", "subject": "", "reason_kind": "other", "reason": " "}
    )
    assert empty.status_code == 200 and not RivException.objects.exists()
    done = client.post(
        url,
        {
            "rule": "second_track_late",
            "subject": "",
            "reason_kind": "return_own_employer",
            "reason": "Terugkeer in eigen functie was gepland per 1 februari.",
        },
    )
    assert done.status_code == 302
    exception = RivException.objects.get()
    event = AuditEvent.objects.get(action="create", object_uuid=exception.uuid)
    assert event.actor == cast.specialist_a
    assert event.details["reason_kind"] == "return_own_employer"
    employer = api(cast.contact_x1).get(_api(riv_x1)).json()
    assert "second_track_late" not in {f["rule"] for f in employer["findings"]}
    assert [f["exception"]["reason_kind"] for f in employer["excepted"]] == ["return_own_employer"]
    page = login(cast.contact_x1).get(_tab(riv_x1)).content.decode()
    assert "Terugkeer in eigen functie" in page
    # The employer reads it, cannot sign off or withdraw.
    assert login(cast.contact_x1).post(url, {"rule": "contains_medical"}).status_code in (403, 404)
    withdraw = reverse("rapportages:riv_exception_withdraw", args=[exception.uuid])
    assert login(cast.contact_x1).post(withdraw).status_code in (403, 404)
    assert login(cast.specialist_a).post(withdraw).status_code == 302
    exception.refresh_from_db()
    assert exception.withdrawn_at is not None
    again = api(cast.specialist_a).get(_api(riv_x1)).json()
    assert "second_track_late" in {f["rule"] for f in again["findings"]}
    # A second specialist of another caseload never reaches the form.
    assert login(cast.specialist_a2).get(url, {"rule": "second_track_late"}).status_code == 404


@time_machine.travel(date(2026, 7, 20), tick=False)
def test_a_reason_with_medical_words_is_named_first_and_start_reasons_only_for_the_start(
    cast, riv_x1, login
):
    client = login(cast.specialist_a)
    url = reverse("rapportages:riv_exception", args=[riv_x1.uuid])
    medical = client.post(
        url,
        {
            "rule": "contact_gap",
            "subject": "",
            "reason_kind": "other",
            "reason": "Werknemer had een hernia en lag in het ziekenhuis.",
        },
    )
    assert medical.status_code == 200 and not RivException.objects.exists()
    assert "hernia" in medical.content.decode()
    wrong = client.post(
        url,
        {"rule": "contact_gap", "subject": "", "reason_kind": "aow_within_year", "reason": "AOW"},
    )
    assert wrong.status_code == 200 and not RivException.objects.exists()
    gone = client.get(url, {"rule": "profile_stale", "subject": ""})
    assert gone.status_code == 302  # no such finding: back to the tab, nothing to sign


def _edges() -> list[tuple[str, str]]:
    """Pairs of fixture files that are the same file on two days: the day of a limit and
    the day after it."""
    same = defaultdict(list)
    for name, case in CASES.items():
        same[json.dumps(case["changes"], sort_keys=True)].append(name)
    pairs = []
    for names in same.values():
        days = sorted(names, key=lambda n: CASES[n]["on"])
        pairs += [(a, b) for a, b in itertools.pairwise(days) if CASES[a]["on"] != CASES[b]["on"]]
    return pairs


EDGES = _edges()


def test_the_fixture_has_the_time_edges():
    assert len(EDGES) >= 5


@pytest.mark.parametrize("before,after", EDGES)
def test_each_limit_on_its_day_and_the_day_after(cast, api, before, after):
    t = build(before, trajectory=cast.traj_x1, specialist=cast.specialist_a)
    client = api(cast.specialist_a)
    for name in (before, after):
        with time_machine.travel(date.fromisoformat(CASES[name]["on"]), tick=False):
            body = client.get(_api(t)).json()
        assert {(f["rule"], f["subject"]) for f in body["findings"]} == expected(name)[0], name


def test_the_uwv_files_checklist_says_what_uwv_will_ask_in_dutch(cast, login, on_commit):
    """The UWV file's front, after the checklist: the check as the employer may hand it to
    UWV (no agency-only evidence), with the valid reasons signed off."""
    from rapportages.models import Report

    from .conftest import pdf_text

    t = build("late start with a signed-off valid reason", trajectory=cast.traj_x1,
              specialist=cast.specialist_a)  # fmt: skip
    Report.objects.filter(trajectory=t).delete()  # reports without a PDF: now missing ones
    from trajecten.models import Training

    Training.objects.filter(trajectory=t).update(status="in_progress", end_date=date(2026, 6, 1))
    with time_machine.travel(date(2026, 7, 20), tick=False):
        client = login(cast.contact_x1)
        on_commit(client.post, reverse("rapportages:bundle_request", args=[t.uuid]))
        job = t.bundle_jobs.get()
        assert job.status == "done", job.error
        data = client.get(reverse("rapportages:bundle_download", args=[job.uuid])).getvalue()
    flat = " ".join(pdf_text(data).split())
    assert "Wat UWV zal vragen: RIV-toets vooraf" in flat
    assert "1. Zijn de documenten er?" in flat and "2–3. Waren de inspanningen voldoende?" in flat
    assert "UWV zal afwijzen: Re-integratieplan is niet definitief" in flat
    assert "1 training of test is over de einddatum en niet afgerond" in flat
    assert "Excel basis" not in flat  # a training's name is agency-only
    assert "Deugdelijke grond" not in flat or "4. Is er een deugdelijke grond?" in flat
    assert "Concrete terugkeer bij de eigen werkgever binnen 3 maanden:" in flat
    assert "herstel telt tot en met 18 oktober 2026" in flat


@pytest.mark.parametrize("who", CAST_NAMES)
@time_machine.travel(date(2026, 7, 20), tick=False)
def test_only_the_trajectorys_specialist_signs_off_or_withdraws_a_reason(cast, riv_x1, login, who):
    """Outside the trajectory: 404 (it does not exist for them); inside it but not its
    specialist (an agency admin, the employer): 403; the employee: 404."""
    exception = RivException.objects.create(
        trajectory=riv_x1, rule="contact_gap", reason="Afgesproken pauze.",
        signed_by=cast.specialist_a, signed_at=riv_x1.created_at,
    )  # fmt: skip
    form = reverse("rapportages:riv_exception", args=[riv_x1.uuid])
    withdraw = reverse("rapportages:riv_exception_withdraw", args=[exception.uuid])
    client = login(getattr(cast, who))
    answers = (
        client.get(form, {"rule": "second_track_late"}).status_code,
        client.post(withdraw).status_code,
    )
    if who == "specialist_a":
        assert answers == (200, 302)
    elif who in ("admin_a", "contact_x_all", "contact_x1"):
        assert answers == (403, 403)
    else:
        assert answers == (404, 404)
    exception.refresh_from_db()
    assert (exception.withdrawn_at is not None) is (who == "specialist_a")


@pytest.mark.parametrize("signed_off", [False, True])
@time_machine.travel(date(2026, 7, 20), tick=False)
def test_the_files_clock_says_the_late_starts_reason_is_signed_off(cast, login, signed_off):
    name = "late start with a signed-off valid reason" if signed_off else (
        "2e spoor started one day late"
    )  # fmt: skip
    t = build(name, trajectory=cast.traj_x1, specialist=cast.specialist_a)
    for who in ("specialist_a", "contact_x1"):
        page = login(getattr(cast, who)).get(reverse("trajecten:file", args=[t.uuid]))
        text = page.content.decode()
        assert ("Het 2e spoor is niet op tijd gestart" in text) is not signed_off
        assert ("de deugdelijke grond is vastgelegd in de RIV-toets" in text) is signed_off
