"""The norm counts real effort once (issue 39, item 5): a repeat registration with the same
employment agency, or a second application to the same vacancy within the agency's window, is
kept and shown as "herhaling, telt niet mee" on the phone, in the file, in reports and in the
API, and the recorder is told why when saving."""

from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from rapportages import content
from rapportages.models import Report
from sollicitaties import repeats, selectors
from sollicitaties.models import ApplicationActivity

START = date(2026, 1, 5)


def _row(pk, kind, organisation, title, day, minute):
    return SimpleNamespace(
        pk=pk, uuid=f"u{pk}", kind=kind, organisation=organisation, vacancy_title=title,
        date=day, created_at=timezone.make_aware(timezone.datetime(2026, 3, 1, 9, minute)),
    )  # fmt: skip


def test_the_rule_on_plain_rows():
    d = date(2026, 3, 1)
    rows = [
        _row(1, "agency_registration", "Randstad", "", d, 0),
        _row(2, "agency_registration", "randstad b.v.", "", d + timedelta(days=200), 1),
        _row(3, "written_application", "Jumbo BV", "Planner", d, 2),
        _row(4, "phone_application", "JUMBO", "planner ", d + timedelta(days=30), 3),
        _row(5, "written_application", "Jumbo", "Planner", d + timedelta(days=31), 4),
        _row(6, "written_application", "Jumbo", "Chauffeur", d, 5),
        _row(7, "reading_vacancies", "Jumbo", "Planner", d, 6),  # never counts anyway
        _row(8, "open_application", "", "", d, 7),  # nothing to compare
        _row(9, "open_application", "", "", d, 8),
        _row(10, "written_application", "Żabka", "Kasjer", d, 9),
        _row(11, "written_application", "Zabka", "Kasjer", d, 10),
    ]
    assert repeats.repeats(rows, window_days=30) == {2: "u1", 4: "u3", 11: "u10"}
    # The order of recording decides, not the date: a back-dated entry recorded later is the
    # repeat, so what a report already counted keeps counting.
    late = _row(12, "written_application", "Jumbo", "Planner", d - timedelta(days=5), 30)
    assert repeats.repeats([*rows, late], window_days=30)[12] == "u3"


def _new(client, t, **data):
    payload = {"kind": "written_application", "date": timezone.localdate().isoformat(),
               "status": "sent", "organisation": "Jumbo", "vacancy_title": "Planner"}  # fmt: skip
    payload.update(data)
    return client.post(reverse("sollicitaties:new", args=[t.uuid]), payload, follow=True)


def test_the_employee_is_told_at_recording_and_sees_it_in_the_list(cast, login):
    client = login(cast.employee_x1)
    first = _new(client, cast.traj_x1)
    assert "De sollicitatie is vastgelegd." in first.content.decode()
    earlier = (timezone.localdate() - timedelta(days=3)).isoformat()
    second = _new(client, cast.traj_x1, kind="phone_application", date=earlier).content.decode()
    assert "telt niet mee voor de norm" in second and "Jumbo – Planner" in second
    one, two = ApplicationActivity.objects.order_by("created_at", "pk")
    assert (one.counts, two.counts, two.repeat_of) == (True, False, one.uuid)
    html = client.get(reverse("sollicitaties:mine")).content.decode()
    assert html.count("herhaling, telt niet mee") == 1
    detail = client.get(reverse("sollicitaties:detail", args=[two.uuid])).content.decode()
    assert "Herhaling van" in detail and reverse("sollicitaties:detail", args=[one.uuid]) in detail
    # The specialist sees the same in the file.
    file_tab = login(cast.specialist_a).get(
        reverse("trajecten:file", args=[cast.traj_x1.uuid]) + "?tab=applications"
    )
    assert "herhaling, telt niet mee" in file_tab.content.decode()


def test_the_api_says_it_and_counts_it_once(cast, api):
    client = api(cast.employee_x1)
    body = {"trajectory": str(cast.traj_x1.uuid), "date": timezone.localdate().isoformat(),
            "kind": "agency_registration", "organisation": "Randstad"}  # fmt: skip
    first = client.post("/api/v1/application-activities/", body, format="json").json()
    body["date"] = (timezone.localdate() - timedelta(days=40)).isoformat()
    second = client.post("/api/v1/application-activities/", body, format="json").json()
    assert (first["counts"], first["repeat_of"]) == (True, None)
    assert (second["counts"], second["repeat_of"]) == (False, first["uuid"])
    read = api(cast.contact_x1).get(f"/api/v1/application-activities/{second['uuid']}/").json()
    assert read["counts"] is False and read["repeat_of"] == first["uuid"]


def test_reports_and_the_norm_count_it_once(cast, login):
    t = cast.traj_x1
    t.start_date, t.referral_date, t.intake_date = START, date(2025, 12, 29), date(2026, 1, 2)
    t.save()
    for day in (date(2026, 1, 7), date(2026, 1, 14), date(2026, 1, 21)):
        with time_machine.travel(day, tick=False):
            _new(login(cast.employee_x1), t, kind="agency_registration", organisation="Randstad",
                 vacancy_title="")  # fmt: skip
    with time_machine.travel(date(2026, 1, 28), tick=False):
        _new(login(cast.employee_x1), t, organisation="Jumbo")
        _norm, periods = selectors.compliance(user=cast.specialist_a, trajectory=t,
                                              today=date(2026, 2, 5))  # fmt: skip
    assert periods[0].count == 2  # one registration, one application: not 4
    report = Report.objects.create(
        trajectory=t, agency_id=t.agency_id, kind="progress", number=1, period_start=START,
        period_end=date(2026, 4, 4), due_date=date(2026, 4, 5),
    )  # fmt: skip
    with time_machine.travel(date(2026, 2, 5), tick=False):
        blocks = content.build(report, today=date(2026, 2, 5))
        page = login(cast.specialist_a).get(reverse("rapportages:detail", args=[report.uuid]))
    a = blocks["applications"]
    assert (a["total"], a["counting"]) == (4, 2)
    assert [r["repeat"] for r in a["table"]] == [False, True, True, False]
    assert {"kind": "Nieuwe inschrijving bij een uitzend- of detacheringsbureau (herhaling)",
            "counts": False, "count": 2, "repeat": True} in a["by_kind"]  # fmt: skip
    assert blocks["norm"]["periods"][0]["count"] == 2
    assert page.content.decode().count("nee, herhaling") == 2


@pytest.mark.usefixtures("on_commit")
def test_the_agency_can_turn_the_rule_off(cast, login, on_commit):
    client = login(cast.employee_x1)
    _new(client, cast.traj_x1)
    _new(client, cast.traj_x1, date=(timezone.localdate() - timedelta(days=1)).isoformat())
    assert [a.counts for a in ApplicationActivity.objects.order_by("created_at", "pk")] == [
        True, False
    ]  # fmt: skip
    from tests.portal.test_agency_settings import settings_payload

    form = settings_payload(cast.agency_a)
    form["count_repeats_once"] = ""
    response = on_commit(login(cast.admin_a).post, reverse("portal:agency_settings"), form)
    assert response.status_code == 302, response.content.decode()[:3000]
    assert [a.counts for a in ApplicationActivity.objects.order_by("created_at", "pk")] == [
        True, True
    ]  # fmt: skip
