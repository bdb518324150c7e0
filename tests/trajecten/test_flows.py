"""A trajectory from referral to closing, as the people involved do it in the browser."""

import re
from datetime import date, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.models import Product, User
from tests import files
from tests.conftest import enrol_totp
from tests.factories import UserFactory
from trajecten import services
from trajecten.models import (
    ActionTemplate,
    ActionTemplateItem,
    Assignment,
    ConversationReport,
    Employee,
    SearchProfile,
    Task,
    Trajectory,
)
from trajecten.tasks import record_renewals

from .conftest import PDF

TODAY = timezone.localdate()


def referral_data(cast, **changes):
    data = {
        "first_name": "Aleksandra",
        "last_name": "Wójcik",
        "email": "a.wojcik@example.pl",
        "guidance_language": "pl",
        "legal_entity": cast.x1.pk,
        "first_sick_day": "2026-01-12",
        "product": Product.objects.get(agency=cast.agency_a, kind="base_3m").pk,
        "referral_basis": "company_doctor",
        "referral_advice_date": "2026-09-01",
    }
    data.update(changes)
    return data


def test_employer_refers_admin_accepts_and_employee_gets_a_polish_invitation(
    cast, login, on_commit, client
):
    advice = SimpleUploadedFile("advies.pdf", PDF, content_type="application/pdf")
    response = on_commit(
        login(cast.contact_x1).post,
        reverse("trajecten:new"),
        {**referral_data(cast), "advice": advice},
    )
    trajectory = Trajectory.objects.get(employee__last_name="Wójcik")
    assert response.url == reverse("trajecten:file", args=[trajectory.uuid])
    assert trajectory.status == "referred"
    assert trajectory.documents.get().visibility == "employer"
    notified = {m.to[0] for m in mail.outbox}
    assert {"admin@a.example", "spec@a.example", "spec2@a.example"} <= notified
    assert not notified & {"admin@b.example", "spec@b.example"}

    mail.outbox.clear()
    on_commit(
        login(cast.admin_a).post,
        reverse("trajecten:accept", args=[trajectory.uuid]),
        {"specialist": cast.specialist_a2.pk, "start_date": TODAY.isoformat()},
    )
    trajectory.refresh_from_db()
    assert trajectory.status == "active"
    assert trajectory.phase.position == 1
    assert trajectory.memberships.get(role="primary").user == cast.specialist_a2
    invitation_mail = mail.outbox[-1]
    assert invitation_mail.to == ["a.wojcik@example.pl"]
    assert "Ustaw hasło" in invitation_mail.body or "hasło" in invitation_mail.body

    link = re.search(r"http://testserver(/uitnodiging/\S+/)", invitation_mail.body).group(1)
    client.logout()
    client.post(link, {"password1": "Nowe-Haslo-2026", "password2": "Nowe-Haslo-2026"})
    employee_user = User.objects.get(email="a.wojcik@example.pl")
    assert employee_user.role == "employee"
    assert (
        trajectory.employee.__class__.objects.get(pk=trajectory.employee_id).user == employee_user
    )
    assert client.get(reverse("trajecten:file", args=[trajectory.uuid])).status_code == 302
    client.post(
        reverse("account_login"), {"login": employee_user.email, "password": "Nowe-Haslo-2026"}
    )
    assert client.get(reverse("trajecten:file", args=[trajectory.uuid])).status_code == 200


def test_employer_cannot_refer_for_a_bv_they_do_not_see(cast, login):
    response = login(cast.contact_x1).post(
        reverse("trajecten:new"), referral_data(cast, legal_entity=cast.x2.pk)
    )
    assert response.status_code == 200
    assert "legal_entity" in response.context["form"].errors
    assert not Trajectory.objects.filter(employee__last_name="Wójcik").exists()


def test_a_future_first_sick_day_or_a_fake_pdf_is_explained_and_the_rest_is_kept(cast, login):
    fake = SimpleUploadedFile("advies.pdf", b"just text, not a pdf", content_type="application/pdf")
    response = login(cast.contact_x1).post(
        reverse("trajecten:new"),
        {**referral_data(cast, first_sick_day="2999-01-01"), "advice": fake},
    )
    errors = response.context["form"].errors
    assert "De eerste ziektedag kan niet in de toekomst liggen." in str(errors["first_sick_day"])
    assert "niet geaccepteerd" in str(errors["advice"])
    html = response.content.decode()
    assert 'value="Aleksandra"' in html and 'value="a.wojcik@example.pl"' in html


def test_one_person_referred_at_two_bvs_is_one_employee(cast, login):
    client = login(cast.contact_x_all)
    client.post(reverse("trajecten:new"), referral_data(cast))
    client.post(reverse("trajecten:new"), referral_data(cast, legal_entity=cast.x2.pk))
    employee = Employee.objects.get(email="a.wojcik@example.pl")
    assert employee.trajectories.count() == 2
    assert employee.employments.count() == 2


def test_specialist_creates_a_trajectory_directly_and_starts_it(cast, login, on_commit):
    client = login(cast.specialist_a)
    client.post(reverse("trajecten:new"), referral_data(cast, specialist=cast.specialist_a.pk))
    trajectory = Trajectory.objects.get(employee__last_name="Wójcik")
    assert trajectory.memberships.get().user == cast.specialist_a
    on_commit(
        client.post,
        reverse("trajecten:start", args=[trajectory.uuid]),
        {"start_date": TODAY.isoformat()},
    )
    trajectory.refresh_from_db()
    assert (trajectory.status, trajectory.start_date) == ("active", TODAY)


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"closing_reason": ""}, "closing_reason", "Dit veld is vereist."),
        ({"closing_reason": "other", "closing_note": ""}, "closing_note", "Licht de reden toe"),
        ({"closing_reason": "new_job", "end_date": "2000-01-01"}, "end_date", "vóór de start"),
    ],
)
def test_closing_needs_a_reason_and_a_sensible_end(cast, login, data, field, message):
    payload = {"end_date": "2026-11-20", "closing_note": "", **data}
    response = login(cast.specialist_a).post(
        reverse("trajecten:close", args=[cast.traj_x1.uuid]), payload
    )
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    cast.traj_x1.refresh_from_db()
    assert cast.traj_x1.status == "active"


def test_closing_ends_the_trajectory_and_drafts_its_final_report(cast, login, on_commit):
    on_commit(
        login(cast.specialist_a).post,
        reverse("trajecten:close", args=[cast.traj_x1.uuid]),
        {"closing_reason": "new_job", "end_date": TODAY.isoformat(), "closing_note": ""},
    )
    cast.traj_x1.refresh_from_db()
    assert cast.traj_x1.status == "ended"
    assert cast.traj_x1.ended_with_placement
    assert cast.traj_x1.reports.filter(kind="final", status="draft").count() == 1


def test_phase_changes_are_dated_and_shown_as_a_route(cast, login):
    client = login(cast.specialist_a)
    phases = list(cast.agency_a.phases.order_by("position"))
    for phase, day in [(phases[0], "2026-09-01"), (phases[1], "2026-10-01")]:
        client.post(
            reverse("trajecten:phase_set", args=[cast.traj_x1.uuid]),
            {"phase": phase.pk, "on": day},
        )
    html = client.get(reverse("trajecten:file", args=[cast.traj_x1.uuid])).content.decode()
    assert html.index(f"– {phases[0].name}") < html.index(f"– {phases[1].name}")
    cast.traj_x1.refresh_from_db()
    assert cast.traj_x1.phase == phases[1]
    other = cast.agency_b.phases.first()
    response = client.post(
        reverse("trajecten:phase_set", args=[cast.traj_x1.uuid]),
        {"phase": other.pk, "on": "2026-10-02"},
    )
    assert response.status_code == 200  # a phase of another agency is not a valid choice


@time_machine.travel(date(2026, 11, 23))
def test_intake_promise_is_shown_met_or_missed(cast, login):
    t = cast.traj_x1
    t.referral_date, t.intake_date = date(2026, 4, 2), date(2026, 4, 13)
    t.save()
    assert t.intake_promise(date(2026, 11, 23)) == "met"
    html = login(cast.specialist_a).get(reverse("trajecten:file", args=[t.uuid])).content.decode()
    assert "badge-met" in html
    t.intake_date = date(2026, 4, 14)
    assert t.intake_promise(date(2026, 11, 23)) == "missed"


# --- Renewals ---------------------------------------------------------------------------------


def test_renewals_are_recorded_monthly_after_the_base_period_once(cast):
    t = cast.traj_x1
    t.start_date, t.referral_date = date(2026, 1, 31), date(2026, 1, 20)
    t.save()
    with time_machine.travel(date(2026, 7, 1)):
        assert record_renewals.delay().get() >= 3
        record_renewals.delay()
    starts = list(t.renewals.values_list("period_start", flat=True))
    assert starts == [date(2026, 4, 30), date(2026, 5, 30), date(2026, 6, 30)]
    assert t.renewals.first().price == Product.objects.get(agency=t.agency, kind="renewal").price


def test_renewals_stop_when_the_trajectory_ends_and_never_for_a_feasibility_study(cast):
    ended = cast.traj_x1
    ended.start_date, ended.end_date, ended.status = date(2026, 1, 10), date(2026, 5, 20), "ended"
    ended.save()
    study = cast.traj_x2
    study.start_date = date(2025, 1, 10)
    study.product = Product.objects.get(agency=study.agency, kind="feasibility")
    study.save()
    services.renewals_record(today=date(2026, 11, 1))
    assert list(ended.renewals.values_list("period_start", flat=True)) == [
        date(2026, 4, 10),
        date(2026, 5, 10),
    ]
    assert not study.renewals.exists()


# --- Action lists, assignments, conversations -----------------------------------------------


def test_action_list_creates_dated_tasks_once_and_flags_overdue(cast, login):
    template = ActionTemplate.objects.create(agency=cast.agency_a, name="Standaard")
    ActionTemplateItem.objects.create(template=template, title="CV klaar", week=2, day=3)
    ActionTemplateItem.objects.create(
        template=template, title="Twee uitzendbureaus", week=1, day=1, performer="employee"
    )
    client = login(cast.specialist_a)
    url = reverse("trajecten:action_list_apply", args=[cast.traj_x1.uuid])
    client.post(url, {"template": template.pk})
    client.post(url, {"template": template.pk})
    tasks = Task.objects.filter(trajectory=cast.traj_x1).order_by("due_date")
    start = cast.traj_x1.start_date
    assert [(t.title, t.due_date) for t in tasks] == [
        ("Twee uitzendbureaus", start),
        ("CV klaar", start + timedelta(days=9)),
    ]
    html = client.get(reverse("dashboards:home")).content.decode()
    assert "badge-overdue" in html  # both lie in the past: start was 30 days ago


def test_employee_completes_their_own_assignment_but_not_someone_elses(cast, login):
    mine = Assignment.objects.create(
        trajectory=cast.traj_x1, title="Bel UWV", due_date=date(2026, 1, 1)
    )
    client = login(cast.employee_x1)
    assert "Bel UWV" in client.get(reverse("dashboards:home")).content.decode()
    client.post(reverse("trajecten:assignment_done", args=[mine.uuid]), {"result": "Gebeld"})
    mine.refresh_from_db()
    assert (mine.status, mine.result) == ("done", "Gebeld")
    theirs = Assignment.objects.create(
        trajectory=cast.traj_x2, title="X", due_date=date(2026, 1, 1)
    )
    for who in (cast.employee_x1, cast.contact_x_all, cast.specialist_b):
        response = login(who).post(reverse("trajecten:assignment_done", args=[theirs.uuid]))
        assert response.status_code == 404


def test_a_conversation_is_logged_with_only_the_essentials(cast, login):
    response = login(cast.specialist_a).post(
        reverse("trajecten:record_new", args=[cast.traj_x1.uuid, "gesprek"]),
        {"summary": "Goed gesprek", "date": "2026-11-20", "kind": "coaching",
         "duration_minutes": "60", "visibility": "agency"},
    )  # fmt: skip
    assert response.status_code == 302
    report = ConversationReport.objects.get()
    assert (report.author, report.agency) == (cast.specialist_a, cast.agency_a)


def test_a_medical_conversation_can_never_be_shared_with_the_employer(cast, login):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    response = login(cast.specialist_a).post(
        reverse("trajecten:record_new", args=[cast.traj_x1.uuid, "gesprek"]),
        {"summary": "Over de behandeling", "date": "2026-11-20", "kind": "coaching",
         "duration_minutes": "30", "visibility": "employer", "contains_medical": "on"},
    )  # fmt: skip
    assert "nooit met de werkgever worden gedeeld" in response.content.decode()
    assert not ConversationReport.objects.exists()
    report = ConversationReport(
        trajectory=cast.traj_x1, kind="coaching", duration_minutes=30, summary="x",
        visibility="employer", contains_medical=True, author=cast.specialist_a,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        report.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        report.save()  # the database refuses it too


def test_search_profile_versions_are_kept_and_a_narrow_profile_is_flagged(cast, login):
    client = login(cast.specialist_a)
    url = reverse("trajecten:search_profile_new", args=[cast.traj_x1.uuid])
    # Version 2 keeps "Planner" unchanged: it must not be dropped.
    base = {"sectors": "Logistiek", "region": "Utrecht", "valid_from": "2026-11-02",
            "functions-TOTAL_FORMS": "3",
            "functions-INITIAL_FORMS": "0", "functions-MIN_NUM_FORMS": "1",
            "functions-MAX_NUM_FORMS": "1000"}  # fmt: skip
    client.post(url, {**base, "functions-0-title": "Planner", "functions-0-reason": "ervaring"})
    html = client.get(
        reverse("trajecten:file", args=[cast.traj_x1.uuid]), {"tab": "profile"}
    ).content.decode()
    assert "Dit zoekprofiel is smal" in html
    second = {
        "sectors": "Logistiek, Zorg",
        "change_note": "breder",
        "functions-0-title": "Planner",
        "functions-0-reason": "ervaring",
        "functions-1-title": "Magazijnmedewerker",
        "functions-1-reason": "fysiek passend",
    }
    client.post(url, {**base, **second})
    versions = SearchProfile.objects.filter(trajectory=cast.traj_x1).order_by("version")
    assert [v.version for v in versions] == [1, 2]
    assert [f.title for f in versions[1].functions.all()] == ["Planner", "Magazijnmedewerker"]
    html = client.get(
        reverse("trajecten:file", args=[cast.traj_x1.uuid]), {"tab": "profile"}
    ).content.decode()
    assert "Dit zoekprofiel is smal" not in html


def test_a_function_without_a_reason_is_refused(cast, login):
    response = login(cast.specialist_a).post(
        reverse("trajecten:search_profile_new", args=[cast.traj_x1.uuid]),
        {"sectors": "Zorg", "region": "Utrecht", "valid_from": "2026-11-02",
         "functions-TOTAL_FORMS": "1", "functions-INITIAL_FORMS": "0",
         "functions-MIN_NUM_FORMS": "1", "functions-MAX_NUM_FORMS": "1000",
         "functions-0-title": "Planner"},
    )  # fmt: skip
    html = response.content.decode()
    assert re.search(r'name="functions-0-reason"[^>]*aria-invalid="true"', html)
    assert "Dit veld is vereist." in html
    assert not SearchProfile.objects.exists()


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        ("2026-11-02", "2026-12-01", "De datum kan niet in de toekomst liggen."),
        ("2026-11-02", "2026-10-01", "De vorige versie geldt vanaf 02-11-2026"),
    ],
)
@time_machine.travel(date(2026, 11, 23), tick=False)
def test_a_search_profile_version_is_agreed_in_order_and_not_in_the_future(
    cast, login, first, second, message
):
    client = login(cast.specialist_a)
    url = reverse("trajecten:search_profile_new", args=[cast.traj_x1.uuid])
    form = {"sectors": "Logistiek", "region": "Utrecht", "functions-TOTAL_FORMS": "1",
            "functions-INITIAL_FORMS": "0", "functions-MIN_NUM_FORMS": "1",
            "functions-MAX_NUM_FORMS": "1000", "functions-0-title": "Planner",
            "functions-0-reason": "ervaring"}  # fmt: skip
    client.post(url, {**form, "valid_from": first})
    response = client.post(url, {**form, "valid_from": second})
    assert message in response.content.decode()
    assert SearchProfile.objects.filter(trajectory=cast.traj_x1).count() == 1


# --- Uploads ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "accepted"),
    [
        ("brief.pdf", PDF, True),
        ("foto.png", files.png(), True),
        ("script.pdf", b"<script>alert(1)</script>", False),
        ("macro.exe", b"MZ\x90\x00" + b"\0" * 64, False),
    ],
)
def test_documents_are_checked_by_content(cast, login, name, content, accepted):
    response = login(cast.specialist_a).post(
        reverse("trajecten:record_new", args=[cast.traj_x1.uuid, "document"]),
        {"title": "Mijn titel", "kind": "other", "visibility": "agency",
         "file": SimpleUploadedFile(name, content)},
    )  # fmt: skip
    assert (response.status_code == 302) == accepted
    assert cast.traj_x1.documents.exists() == accepted
    if not accepted:
        assert "niet geaccepteerd" in response.content.decode()
        assert 'value="Mijn titel"' in response.content.decode()


def test_a_file_over_the_size_limit_is_refused_with_the_limit(cast, login, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    response = login(cast.specialist_a).post(
        reverse("trajecten:record_new", args=[cast.traj_x1.uuid, "document"]),
        {"title": "Groot", "kind": "other", "visibility": "agency",
         "file": SimpleUploadedFile("groot.pdf", PDF + b"0" * 2048)},
    )  # fmt: skip
    html = response.content.decode()
    assert "hoogstens 1,0\xa0KB is toegestaan" in html
    assert not cast.traj_x1.documents.exists()


def test_a_work_experience_place_must_last_six_months(cast, login):
    response = login(cast.specialist_a).post(
        reverse("trajecten:record_single", args=[cast.traj_x1.uuid, "plaatsing"]),
        {"new_employer": "Jumbo", "function": "Vakkenvuller", "start_date": "2026-12-01",
         "hours_per_week": "24", "contract_type": "work_experience",
         "contract_end_date": "2027-03-01"},
    )  # fmt: skip
    assert response.status_code == 200
    assert "minstens 6 maanden" in response.content.decode()


# --- Calendar ---------------------------------------------------------------------------------


def test_calendar_feed_lists_own_appointments_and_a_revoked_link_stops_working(
    cast, records, login, client
):
    user = cast.employee_x1
    page = login(user).get(reverse("trajecten:calendar")).content.decode()
    feed_path = re.search(r"(/trajecten/agenda/[^\"]+\.ics)", page).group(1)
    client.logout()
    ics = client.get(feed_path)
    assert ics["Content-Type"].startswith("text/calendar")
    assert b"APPOINTMENT-SUBJECT" in ics.content
    login(user).post(reverse("trajecten:calendar"))
    client.logout()
    assert client.get(feed_path).status_code == 404


def test_a_platform_operator_has_no_calendar(db, login):
    operator = UserFactory(platform=True)
    enrol_totp(operator)
    assert login(operator).get(reverse("trajecten:calendar")).status_code == 404


def test_calendar_feed_of_an_employer_contact_holds_no_appointments(cast, records, login, client):
    page = login(cast.contact_x_all).get(reverse("trajecten:calendar")).content.decode()
    feed_path = re.search(r"(/trajecten/agenda/[^\"]+\.ics)", page).group(1)
    client.logout()
    assert b"APPOINTMENT-SUBJECT" not in client.get(feed_path).content


def test_the_conversation_form_opens_with_today_coaching_and_an_hour(cast, login):
    form = (
        login(cast.specialist_a)
        .get(reverse("trajecten:record_new", args=[cast.traj_x1.uuid, "gesprek"]))
        .context["form"]
    )
    assert form["duration_minutes"].value() == 60
    assert form["kind"].value() == "coaching"
    assert form["date"].value() == TODAY
    assert form["visibility"].value() == "agency"


def test_a_training_certificate_is_uploaded_and_only_the_file_readers_download_it(cast, login):
    png = files.png()
    login(cast.specialist_a).post(
        reverse("trajecten:record_new", args=[cast.traj_x1.uuid, "training"]),
        {"name": "VCA", "status": "completed", "certificate": SimpleUploadedFile("vca.png", png)},
    )
    training = cast.traj_x1.trainings.get()
    url = reverse("trajecten:download", args=["certificaat", training.uuid])
    assert login(cast.employee_x1).get(url).status_code == 200
    for outsider in (cast.contact_x1, cast.employee_x2, cast.specialist_b):
        assert login(outsider).get(url).status_code == 404


@pytest.mark.parametrize(
    "who", ["specialist_a2", "contact_x1", "employee_x1", "specialist_b", "admin_b", "employee_x2"]
)
def test_only_the_files_specialists_mark_tasks_done(cast, login, who):
    task = Task.objects.create(trajectory=cast.traj_x1, title="Cv", due_date=TODAY)
    url = reverse("trajecten:task_done", args=[cast.traj_x1.uuid, task.uuid])
    status = login(getattr(cast, who)).post(url).status_code
    # The employer and the employee see the file but not its tasks: 404, like outsiders.
    assert status == 404
    task.refresh_from_db()
    assert task.done_on is None
    assert login(cast.specialist_a).post(url).status_code == 302
    task.refresh_from_db()
    assert task.done_on == TODAY


def test_an_address_of_another_agency_gets_the_same_invitation_as_a_new_one(cast, login, on_commit):
    """Issue 38, item 8: starting a trajectory for an address that logs in at another agency
    made no invitation, and the team page showed that. Now the same response and the same
    open invitation either way; only the address's owner reads that it has an account."""
    from django.core import mail

    from portal.models import Invitation

    seen = []
    for email, last_name in (("admin@b.example", "Bakker"), ("vrij@example.nl", "Visser")):
        client = login(cast.specialist_a)
        data = referral_data(cast, email=email, last_name=last_name)
        created = client.post(
            reverse("trajecten:new"), {**data, "specialist": cast.specialist_a.pk}
        )
        trajectory = Trajectory.objects.get(employee__last_name=last_name)
        started = on_commit(
            client.post,
            reverse("trajecten:start", args=[trajectory.uuid]),
            {"start_date": TODAY.isoformat()},
        )
        invitation = Invitation.objects.get(email=email)
        team = login(cast.admin_a).get(reverse("portal:team")).content.decode()
        seen.append(
            (
                created.status_code,
                started.status_code,
                invitation.is_open,
                invitation.agency_id,
                team.count(email),
            )
        )
    assert seen[0] == seen[1]
    assert seen[0][2] is True and seen[0][3] == cast.agency_a.pk
    taken = [m for m in mail.outbox if m.to == ["admin@b.example"]]
    assert taken and "ma już konto w Spoorboek" in taken[-1].body  # in her language
    assert "/uitnodiging/" not in taken[-1].body


def test_a_referral_advice_cannot_lie_in_the_future(cast, login):
    """Issue 40, item 4: an advice to start the 2e spoor dated next month was accepted."""
    from django.core.exceptions import ValidationError

    from trajecten import services
    from trajecten.forms import TrajectorySummaryForm

    t = cast.traj_x1
    tomorrow = timezone.localdate() + timedelta(days=1)
    data = {name: getattr(t, name) for name in TrajectorySummaryForm.Meta.fields}
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items() if v is not None}
    data.update(referral_basis="company_doctor", referral_advice_date=tomorrow.isoformat())
    page = login(cast.specialist_a).post(reverse("trajecten:summary_edit", args=[t.uuid]), data)
    assert page.status_code == 200  # the form again, with the message at the field
    assert "Het advies kan niet in de toekomst liggen." in page.content.decode()
    with pytest.raises(ValidationError) as refused:
        services.trajectory_update(actor=cast.specialist_a, trajectory=t,
                                   referral_advice_date=tomorrow)  # fmt: skip
    assert "referral_advice_date" in refused.value.error_dict
    t.refresh_from_db()
    assert t.referral_advice_date != tomorrow
