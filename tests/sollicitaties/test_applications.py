"""Employees record applications on a phone; specialists and employers follow them."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.constants import AuditAction
from portal.models import AuditEvent
from sollicitaties.models import ApplicationActivity, Evidence, TempAgencyRegistration, Vacancy
from tests import files
from tests.conftest import CAST_NAMES
from tests.trajecten.conftest import PDF

X1_VIEWERS = {"admin_a", "specialist_a", "contact_x_all", "contact_x1", "employee_x1"}
X1_RECORDERS = {"specialist_a", "employee_x1"}
TODAY = timezone.localdate()


def post_activity(client, cast, **data):
    payload = {"kind": "written_application", "date": TODAY.isoformat(), "status": "sent",
               "organisation": "Jumbo", "vacancy_title": "Teamleider"}  # fmt: skip
    payload.update(data)
    return client.post(reverse("sollicitaties:new", args=[cast.traj_x1.uuid]), payload)


def test_employee_records_an_application_with_a_photo_as_evidence(cast, login):
    photo = SimpleUploadedFile("screenshot.jpg", files.jpeg())
    response = post_activity(login(cast.employee_x1), cast, evidence=photo)
    assert response.url == reverse("sollicitaties:mine")
    activity = ApplicationActivity.objects.get()
    assert (activity.recorded_by_role, activity.status) == ("employee", "sent")
    assert [c.status for c in activity.status_changes.all()] == ["sent"]
    assert activity.evidence.get().content_type == "image/jpeg"


def test_the_form_suggests_today_and_the_last_used_kind(cast, login, activity):
    activity.kind = "phone_application"
    activity.save()
    form = (
        login(cast.employee_x1)
        .get(reverse("sollicitaties:new", args=[cast.traj_x1.uuid]))
        .context["form"]
    )
    assert form["date"].value() == TODAY
    assert form["kind"].value() == "phone_application"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"date": (TODAY + timedelta(days=1)).isoformat()}, "date", "niet in de toekomst"),
        ({"vacancy_url": "geen link"}, "vacancy_url", "Voer een geldige URL in."),
        ({"kind": "gokken"}, "kind", "Selecteer een geldige keuze."),
    ],
)
def test_bad_input_is_explained_in_dutch_and_nothing_is_saved(cast, login, data, field, message):
    response = post_activity(login(cast.employee_x1), cast, **data)
    assert message in str(response.context["form"].errors[field])
    assert 'value="Jumbo"' in response.content.decode()
    assert not ApplicationActivity.objects.exists()


def test_the_same_vacancy_twice_on_one_day_asks_for_confirmation(cast, login):
    client = login(cast.employee_x1)
    post_activity(client, cast, vacancy_url="https://werk.example/v/1")
    again = post_activity(client, cast, organisation="JUMBO ", vacancy_url="")
    assert again.status_code == 200
    assert "al vastgelegd" in again.content.decode()
    assert ApplicationActivity.objects.count() == 1
    confirmed = post_activity(client, cast, confirm_duplicate="on")
    assert confirmed.status_code == 302
    assert ApplicationActivity.objects.count() == 2


def test_one_tap_status_updates_build_a_dated_history(cast, login, activity):
    client = login(cast.employee_x1)
    for status in ("invited", "second_interview", "offer"):
        client.post(reverse("sollicitaties:status", args=[activity.uuid]), {"status": status})
    activity.refresh_from_db()
    assert activity.status == "offer"
    assert [c.status for c in activity.status_changes.all()] == [
        "sent", "invited", "second_interview", "offer"
    ]  # fmt: skip
    bad = client.post(reverse("sollicitaties:status", args=[activity.uuid]), {"status": "won"})
    assert bad.status_code == 302
    activity.refresh_from_db()
    assert activity.status == "offer"


def test_a_specialist_records_for_the_employee_and_it_is_kept_who_did(cast, login):
    post_activity(login(cast.specialist_a), cast)
    assert ApplicationActivity.objects.get().recorded_by_role == "specialist"


@pytest.mark.parametrize("who", CAST_NAMES)
def test_activity_pages_answer_by_role(cast, login, activity, who):
    client = login(getattr(cast, who))
    detail = client.get(reverse("sollicitaties:detail", args=[activity.uuid])).status_code
    edit = client.get(reverse("sollicitaties:edit", args=[activity.uuid])).status_code
    new = client.get(reverse("sollicitaties:new", args=[cast.traj_x1.uuid])).status_code
    export = client.get(reverse("sollicitaties:export_csv", args=[cast.traj_x1.uuid])).status_code
    if who in X1_RECORDERS:
        assert (detail, edit, new, export) == (200, 200, 200, 200)
    elif who in X1_VIEWERS:
        assert (detail, edit, new, export) == (200, 403, 403, 200)
    else:
        assert (detail, edit, new, export) == (404, 404, 404, 404)


@pytest.mark.parametrize("who", CAST_NAMES)
def test_status_and_evidence_posts_are_refused_to_everyone_but_recorders(
    cast, login, activity, who
):
    client = login(getattr(cast, who))
    status = client.post(
        reverse("sollicitaties:status", args=[activity.uuid]), {"status": "invited"}
    )
    evidence = client.post(
        reverse("sollicitaties:evidence_add", args=[activity.uuid]),
        {"file": SimpleUploadedFile("brief.pdf", PDF)},
    )
    expected = 302 if who in X1_RECORDERS else (403 if who in X1_VIEWERS else 404)
    assert (status.status_code, evidence.status_code) == (expected, expected)


def test_employer_reads_applications_without_private_notes_or_evidence(cast, login, activity):
    login(cast.employee_x1).post(
        reverse("sollicitaties:evidence_add", args=[activity.uuid]),
        {"file": SimpleUploadedFile("brief.pdf", PDF)},
    )
    evidence = Evidence.objects.get()
    client = login(cast.contact_x1)
    tab = client.get(
        reverse("trajecten:file", args=[cast.traj_x1.uuid]), {"tab": "applications"}
    ).content.decode()
    detail = client.get(reverse("sollicitaties:detail", args=[activity.uuid])).content.decode()
    export = client.get(reverse("sollicitaties:export_csv", args=[cast.traj_x1.uuid])).content
    assert "PostNL" in tab and "PostNL" in detail and b"PostNL" in export
    for text in (tab, detail, export.decode()):
        assert "PRIVATE-NOTE" not in text
        assert "brief" not in text
    url = reverse("sollicitaties:evidence_download", args=[evidence.uuid])
    assert client.get(url).status_code == 404
    cast.agency_a.share_application_evidence_with_employer = True
    cast.agency_a.save()
    assert client.get(url).status_code == 200
    assert (
        "PRIVATE-NOTE"
        not in client.get(reverse("sollicitaties:detail", args=[activity.uuid])).content.decode()
    )


def test_the_employee_and_specialist_see_the_notes_and_export_them(cast, login, activity):
    for who in (cast.employee_x1, cast.specialist_a):
        export = login(who).get(reverse("sollicitaties:export_csv", args=[cast.traj_x1.uuid]))
        text = export.content.decode("utf-8-sig")
        assert text.splitlines()[0].startswith("Datum;Soort;")
        assert "PRIVATE-NOTE" in text
    assert AuditEvent.objects.filter(action=AuditAction.DOWNLOAD).count() == 2


def test_temp_agency_registrations_are_recorded_and_listed(cast, login):
    client = login(cast.employee_x1)
    client.post(
        reverse("sollicitaties:temp_agency_new", args=[cast.traj_x1.uuid]),
        {"agency_name": "Randstad", "date": TODAY.isoformat()},
    )
    assert TempAgencyRegistration.objects.get().trajectory == cast.traj_x1
    tab = login(cast.contact_x1).get(
        reverse("trajecten:file", args=[cast.traj_x1.uuid]), {"tab": "applications"}
    )
    assert "Randstad" in tab.content.decode()


def test_the_norm_per_period_is_shown_and_can_be_adjusted_with_a_reason(cast, login):
    t = cast.traj_x1
    t.start_date = TODAY - timedelta(days=30)  # period 1 complete, period 2 running
    t.save()
    for offset in (29, 25, 20, 2):
        ApplicationActivity.objects.create(
            trajectory=t, kind="open_application", date=TODAY - timedelta(days=offset),
            recorded_by=cast.employee_x1, recorded_by_role="employee",
        )  # fmt: skip
    ApplicationActivity.objects.create(
        trajectory=t, kind="reading_vacancies", date=TODAY - timedelta(days=10),
        recorded_by=cast.employee_x1, recorded_by_role="employee",
    )  # fmt: skip
    client = login(cast.specialist_a)
    url = reverse("trajecten:file", args=[t.uuid])
    periods = client.get(url, {"tab": "applications"}).context["periods"]
    assert [(p.count, p.below) for p in periods] == [(3, True), (1, False)]
    response = client.post(
        reverse("sollicitaties:norm_edit", args=[t.uuid]), {"count": "3", "weeks": "4"}
    )
    assert "reason" in response.context["form"].errors
    client.post(
        reverse("sollicitaties:norm_edit", args=[t.uuid]),
        {"count": "3", "weeks": "4", "reason": "Halve dagen belastbaar"},
    )
    periods = client.get(url, {"tab": "applications"}).context["periods"]
    assert periods[0].met
    for who in (cast.employee_x1, cast.contact_x1):
        assert login(who).get(reverse("sollicitaties:norm_edit", args=[t.uuid])).status_code == 403


def test_employee_turns_a_suggested_vacancy_into_an_application_in_one_click(cast, login):
    from trajecten.models import SearchFunction, SearchProfile

    profile = SearchProfile.objects.create(
        trajectory=cast.traj_x1, version=1, sectors="Logistiek, Zorg", region="Utrecht",
        hours_per_week=32, author=cast.specialist_a,
    )  # fmt: skip
    SearchFunction.objects.create(profile=profile, title="Planner", reason="ervaring")
    good = Vacancy.objects.create(
        agency=cast.agency_a, title="Planner transport", organisation="DHL", place="Utrecht",
        hours_per_week=32,
    )  # fmt: skip
    Vacancy.objects.create(agency=cast.agency_a, title="Kok", organisation="Hotel", place="Emmen")
    Vacancy.objects.create(  # another agency's board
        agency=cast.agency_b, title="Planner", organisation="Elders", place="Utrecht"
    )
    Vacancy.objects.create(  # closed
        agency=cast.agency_a, title="Planner", organisation="Oud", place="Utrecht",
        closing_date=TODAY - timedelta(days=1),
    )  # fmt: skip
    client = login(cast.employee_x1)
    page = client.get(reverse("sollicitaties:mine"))
    suggestions = page.context["suggestions"]
    assert [s.vacancy.organisation for s in suggestions] == ["DHL"]
    assert suggestions[0].score == 100
    assert "Planner" in suggestions[0].reason and "Utrecht" in suggestions[0].reason
    client.post(reverse("sollicitaties:from_vacancy", args=[cast.traj_x1.uuid, good.uuid]))
    activity = ApplicationActivity.objects.get()
    assert (activity.organisation, activity.vacancy, activity.date) == ("DHL", good, TODAY)
    # Applied to: no longer suggested (issue 40, item 3), also when typed in by hand for
    # another board entry of the same employer and function.
    assert client.get(reverse("sollicitaties:mine")).context["suggestions"] == []
    twin = Vacancy.objects.create(agency=cast.agency_a, title="Planner", organisation="Jumbo",
                                  place="Utrecht")  # fmt: skip
    assert [s.vacancy for s in client.get(reverse("sollicitaties:mine")).context["suggestions"]
            ] == [twin]  # fmt: skip
    ApplicationActivity.objects.create(
        trajectory=cast.traj_x1, date=TODAY, kind="written_application",
        organisation="Jumbo B.V.", vacancy_title="planner", recorded_by=cast.employee_x1,
        recorded_by_role="employee",
    )  # fmt: skip
    assert client.get(reverse("sollicitaties:mine")).context["suggestions"] == []
    foreign = Vacancy.objects.get(agency=cast.agency_b)
    response = client.post(
        reverse("sollicitaties:from_vacancy", args=[cast.traj_x1.uuid, foreign.uuid])
    )
    assert response.status_code == 404


@pytest.mark.parametrize("who", CAST_NAMES)
def test_own_pages_and_overview_by_role(cast, login, who):
    client = login(getattr(cast, who))
    mine = client.get(reverse("sollicitaties:mine")).status_code
    overview = client.get(reverse("sollicitaties:overview"))
    assert mine == (200 if who.startswith("employee") else 404)
    if who.startswith("employee"):
        assert overview.status_code == 404
    else:
        names = {r.trajectory.employee.first_name for r in overview.context["rows"]}
        expected = {
            t.employee.first_name
            for t in (cast.traj_x1, cast.traj_x2, cast.traj_y1, cast.traj_z1)
            if client.get(reverse("trajecten:file", args=[t.uuid])).status_code == 200
        }
        assert names == expected


def test_employer_overview_counts_this_period_against_the_norm(cast, login):
    t = cast.traj_x1
    t.start_date = date(2026, 1, 1)
    t.save()
    for day in (date(2026, 10, 30), date(2026, 11, 2), date(2026, 11, 20)):
        ApplicationActivity.objects.create(
            trajectory=t, kind="open_application", date=day, status="rejected",
            recorded_by=cast.employee_x1, recorded_by_role="employee",
        )  # fmt: skip
    import time_machine

    with time_machine.travel(date(2026, 11, 23)):
        rows = login(cast.contact_x1).get(reverse("sollicitaties:overview")).context["rows"]
    (row,) = rows
    # 2026-01-01 + 11 x 28 days = 2026-11-19: the current period runs 19 Nov - 16 Dec
    assert row.position.current_count == 1
    assert row.position.last_complete_met is False  # 22 Oct - 18 Nov held two, the norm is four
    assert row.by_status == {"rejected": 3}


def test_activities_that_are_not_applications_have_no_status_buttons(cast, login):
    ApplicationActivity.objects.create(
        trajectory=cast.traj_x1, kind="reading_vacancies", recorded_by=cast.employee_x1,
        recorded_by_role="employee",
    )  # fmt: skip
    html = login(cast.employee_x1).get(reverse("sollicitaties:mine")).content.decode()
    assert "Vacatures lezen" in html
    assert 'name="status"' not in html


def test_the_two_temp_agencies_of_the_plan_are_read_from_the_registrations(cast, login):
    url = reverse("trajecten:file", args=[cast.traj_x1.uuid])
    client = login(cast.specialist_a)
    for name in ("Randstad", "randstad ", "Tempo-Team"):
        TempAgencyRegistration.objects.create(trajectory=cast.traj_x1, agency_name=name)
        context = client.get(url, {"tab": "applications"}).context
    assert context["temp_agencies"] == {"count": 2, "required": 2}
    assert (
        "Ingeschreven bij 2 uitzendbureaus"
        in client.get(url, {"tab": "applications"}).content.decode()
    )


def test_the_overview_totals_per_bv(cast, login):
    rows = login(cast.contact_x_all).get(reverse("sollicitaties:overview")).context["per_bv"]
    assert [(bv.name, bv.trajectories) for bv in rows] == [("X1 BV", 1), ("X2 BV", 1)]


def test_the_applications_tab_shows_25_to_a_page_and_keeps_the_tab(cast, login):
    for n in range(30):
        ApplicationActivity.objects.create(
            trajectory=cast.traj_x1,
            kind="written_application",
            date=TODAY - timedelta(days=n),
            organisation=f"Organisatie {n:02d}",
            recorded_by=cast.employee_x1,
        )
    client = login(cast.specialist_a)
    url = reverse("trajecten:file", args=[cast.traj_x1.uuid])
    first = client.get(url, {"tab": "applications"}).content.decode()
    assert "Organisatie 00" in first and "Organisatie 29" not in first
    assert "?tab=applications&amp;page=2" in first
    second = client.get(url, {"tab": "applications", "page": 2}).content.decode()
    assert "Organisatie 29" in second and "Organisatie 00" not in second


@pytest.mark.django_db(transaction=True)
def test_when_the_database_goes_away_mid_save_nothing_is_half_saved(cast, login, monkeypatch):
    """The activity row is written, then the connection dies before its status history: the
    whole request is rolled back and the employee is told that nothing was saved."""
    from django.db import OperationalError, connection

    from sollicitaties import services

    original = services.StatusChange.objects.create

    def die(**kwargs):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # the server ends our session, for real
                cursor.execute("RESET ROLE")  # the test runs as the application role
                cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(services.StatusChange.objects, "create", die)
    client = login(cast.employee_x1)
    response = post_activity(client, cast, organisation="Halverwege BV")
    assert response.status_code == 503
    assert "Er is niets opgeslagen" in response.content.decode()
    monkeypatch.setattr(services.StatusChange.objects, "create", original)
    assert not ApplicationActivity.objects.filter(organisation="Halverwege BV").exists()
    # Once the database is back, the same form saves.
    client = login(cast.employee_x1)
    assert post_activity(client, cast, organisation="Halverwege BV").status_code == 302
    assert ApplicationActivity.objects.get(organisation="Halverwege BV").status_changes.count() == 1


def test_a_file_the_phone_left_out_is_named_in_the_message(cast, login):
    """Issue 40, item 3: a too-large evidence file is taken out on the phone
    (``upload-check.js`` sends its name as ``evidence_dropped``); the application is recorded
    and the message says the file was not attached."""
    page = post_activity(login(cast.employee_x1), cast, evidence_dropped="foto.jpg")
    assert page.status_code == 302
    html = login(cast.employee_x1).get(page.url).content.decode()
    assert "De sollicitatie is vastgelegd." in html
    assert "Het bewijsstuk foto.jpg is niet bijgevoegd: het is groter dan 10,0\xa0MB." in html
    assert ApplicationActivity.objects.get().evidence.count() == 0
