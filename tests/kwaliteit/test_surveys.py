"""The satisfaction survey at closing: who is asked, the signed link (tampering, reuse,
expiry), "no thanks", the one reminder, and that the page shows nothing but the questions."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail, signing
from django.urls import reverse
from django.utils import timezone

from kwaliteit import services, tasks
from kwaliteit.models import SurveyInvitation
from portal.models import AuditEvent
from trajecten.models import Employee

MARKS = {"guidance": "8", "communication": "7", "result": "9", "comment": "Fijne begeleiding"}


def _link(message) -> str:
    """The survey link of an email (the first /enquete/ address in its text)."""
    return re.search(r"https?://\S+?(/enquete/[^/\s]+/)", message.body).group(1)


def test_closing_asks_the_employee_and_every_contact_who_sees_the_bv(cast, close):
    mail.outbox.clear()
    close(cast.traj_x1, cast.specialist_a)
    asked = dict(
        SurveyInvitation.objects.filter(trajectory=cast.traj_x1).values_list("email", "party")
    )
    assert asked == {
        cast.employee_x1.email: "employee",
        cast.contact_x_all.email: "employer",
        cast.contact_x1.email: "employer",  # sees x1
    }
    assert sorted(m.to[0] for m in mail.outbox if "/enquete/" in m.body) == sorted(asked)
    assert (
        SurveyInvitation.objects.filter(trajectory=cast.traj_x1, sent_at__isnull=False).count() == 3
    )
    subjects = {m.to[0]: m.subject for m in mail.outbox if "/enquete/" in m.body}
    assert subjects[cast.employee_x1.email] == "Hoe ging je traject bij Agency A?"
    assert subjects[cast.contact_x1.email] == "Hoe ging het traject bij Agency A?"
    contact_mail = next(m for m in mail.outbox if m.to == [cast.contact_x1.email])
    assert cast.traj_x1.employee.last_name in contact_mail.body  # which trajectory it is about


def test_the_email_is_in_the_persons_language_and_the_link_names_nobody(cast, close):
    cast.employee_x1.language = "pl"
    cast.employee_x1.save(update_fields=["language"])
    mail.outbox.clear()
    close(cast.traj_x1, cast.specialist_a)
    message = next(m for m in mail.outbox if m.to == [cast.employee_x1.email])
    assert "Agency A" in message.subject and "Jak" in message.subject  # Polish
    link = _link(message)
    employee = cast.traj_x1.employee
    for personal in (employee.first_name, employee.last_name, employee.email, "Agency"):
        assert personal.lower() not in link.lower()
    token = link.split("/")[2]
    agency_id, uuid_hex = signing.loads(token, salt=services.TOKEN_SALT)
    assert agency_id == cast.agency_a.pk
    assert SurveyInvitation.objects.get(uuid=uuid_hex).email == cast.employee_x1.email


def test_an_employee_without_an_address_is_not_asked_and_counted_as_such(cast, close):
    employee = cast.traj_x2.employee
    Employee.objects.filter(pk=employee.pk).update(user=None, email="")
    close(cast.traj_x2, cast.specialist_a2)
    assert not SurveyInvitation.objects.filter(trajectory=cast.traj_x2, party="employee").exists()


def _invitation(cast, close):
    mail.outbox.clear()
    close(cast.traj_x1, cast.specialist_a)
    invitation = SurveyInvitation.objects.get(trajectory=cast.traj_x1, party="employee")
    return invitation, reverse("kwaliteit:survey", args=[services.survey_token(invitation)])


def test_the_survey_page_shows_nothing_but_the_questions(cast, close, client):
    url = _invitation(cast, close)[1]
    html = client.get(url).content.decode()
    assert "Hoe tevreden ben je over de begeleiding" in html
    employee = cast.traj_x1.employee
    for secret in (employee.first_name, employee.last_name, "Agency A", "X1 BV", "Employer X"):
        assert secret not in html
    assert 'name="referrer" content="same-origin"' in html  # the link never leaves the site


def test_an_answer_is_recorded_once_and_the_link_then_closes(cast, close, client):
    invitation, url = _invitation(cast, close)
    response = client.post(url, MARKS)
    assert "Bedankt" in response.content.decode()
    invitation.refresh_from_db()
    assert (invitation.guidance, invitation.communication, invitation.result) == (8, 7, 9)
    assert invitation.comment == "Fijne begeleiding"
    again = client.post(url, {**MARKS, "guidance": "1"})
    assert again.status_code == 410
    assert "al ingevuld" in again.content.decode()
    invitation.refresh_from_db()
    assert invitation.guidance == 8
    assert client.get(url).status_code == 410


def test_the_trail_records_an_answer_without_saying_whose(cast, close, client):
    url = _invitation(cast, close)[1]
    client.post(url, MARKS, REMOTE_ADDR="198.51.100.7")
    event = AuditEvent.objects.get(object_type="surveyresponse")
    assert event.subject_uuid is None and event.object_uuid is None and event.actor is None
    assert event.details == {"party": "employee"}
    # Neither the address nor the link's path (which decodes to the invitation) is kept.
    assert event.ip_address is None and event.path == ""


def test_a_declined_survey_keeps_no_address_or_path_either(cast, close, client):
    url = _invitation(cast, close)[1]
    client.post(url + "nee/", REMOTE_ADDR="198.51.100.7")
    event = AuditEvent.objects.get(object_type="surveyresponse")
    assert event.ip_address is None and event.path == ""


def test_two_answers_at_once_count_once(cast, close):
    invitation, _url = _invitation(cast, close)
    now = timezone.now()
    services.survey_answer(invitation=invitation, guidance=5, communication=5, result=5, now=now)
    with pytest.raises(services.SurveyClosed):
        services.survey_answer(
            invitation=invitation, guidance=9, communication=9, result=9, now=now
        )
    invitation.refresh_from_db()
    assert invitation.guidance == 5


def test_a_missing_mark_is_said_at_the_field_and_the_comment_is_kept(cast, close, client):
    invitation, url = _invitation(cast, close)
    response = client.post(url, {"guidance": "8", "result": "11", "comment": "Mijn opmerking"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("Kies een cijfer van 1 tot en met 10.") == 2
    assert "Mijn opmerking" in html
    invitation.refresh_from_db()
    assert invitation.answered_at is None


@pytest.mark.parametrize(
    "token",
    [
        "not-a-token",
        "WzEsIjAwIl0:1tAmpered:signature",
        "%2e%2e%2fetc",
        "x" * 300,
    ],
)
def test_a_tampered_or_made_up_link_says_so_and_nothing_else(cast, client, token):
    response = client.get(f"/enquete/{token}/")
    if "%2f" in token:  # a slash: no such address at all
        assert response.status_code == 404
        return
    assert response.status_code == 410
    assert "niet geldig" in response.content.decode()


def test_a_link_signed_for_another_agency_finds_nothing(cast, close, client):
    invitation, _url = _invitation(cast, close)
    forged = signing.dumps([cast.agency_b.pk, invitation.uuid.hex], salt=services.TOKEN_SALT)
    response = client.get(reverse("kwaliteit:survey", args=[forged]))
    assert response.status_code == 410
    assert "niet geldig" in response.content.decode()


def test_a_changed_character_breaks_the_signature(cast, close, client):
    invitation = _invitation(cast, close)[0]
    token = services.survey_token(invitation)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    response = client.post(reverse("kwaliteit:survey", args=[tampered]), MARKS)
    assert response.status_code == 410
    invitation.refresh_from_db()
    assert invitation.answered_at is None


def test_the_link_expires_after_the_agencys_days(cast, close, client):
    cast.agency_a.survey_valid_days = 10
    cast.agency_a.save()
    invitation, url = _invitation(cast, close)
    with time_machine.travel(timezone.now() + timedelta(days=9, hours=23)):
        assert client.get(url).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=10, minutes=1)):
        response = client.post(url, MARKS)
        assert response.status_code == 410
        assert "verlopen" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.answered_at is None


def test_no_thanks_asks_first_then_stops_the_reminder(cast, close, client, on_commit):
    invitation, url = _invitation(cast, close)
    decline = reverse("kwaliteit:survey_decline", args=[services.survey_token(invitation)])
    client.get(decline)  # a mail scanner following the link changes nothing
    invitation.refresh_from_db()
    assert invitation.declined_at is None
    response = client.post(decline)
    assert "geen herinnering" in response.content.decode()
    invitation.refresh_from_db()
    assert invitation.declined_at is not None
    assert client.get(url).status_code == 410
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        mail.outbox.clear()
        on_commit(tasks.send_survey_reminders)
        assert invitation.email not in [m.to[0] for m in mail.outbox]


def test_one_reminder_after_seven_days_to_who_did_not_answer(cast, close, client, on_commit):
    invitation, url = _invitation(cast, close)
    contact = SurveyInvitation.objects.get(trajectory=cast.traj_x1, email=cast.contact_x1.email)
    client.post(
        reverse("kwaliteit:survey", args=[services.survey_token(contact)]), MARKS
    )  # the contact answered
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + timedelta(days=6)):
        assert on_commit(tasks.send_survey_reminders) == 0
    with time_machine.travel(timezone.now() + timedelta(days=7, hours=1)):
        assert on_commit(tasks.send_survey_reminders) == 2  # the employee and the other contact
        assert on_commit(tasks.send_survey_reminders) == 0  # never twice
    reminded = sorted(m.to[0] for m in mail.outbox)
    assert reminded == sorted([invitation.email, cast.contact_x_all.email])
    assert all("Herinnering" in m.subject for m in mail.outbox)
    assert client.get(url).status_code == 200  # the reminder's link is the same link


def test_no_reminder_when_the_link_is_about_to_expire(cast, close, on_commit):
    cast.agency_a.survey_valid_days = 8
    cast.agency_a.save()
    _invitation(cast, close)
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + timedelta(days=7, hours=1)):
        assert on_commit(tasks.send_survey_reminders) == 0


def test_the_page_speaks_the_language_of_the_invitation(cast, close, client):
    invitation, url = _invitation(cast, close)
    SurveyInvitation.objects.filter(pk=invitation.pk).update(language="pl")
    html = client.get(url).content.decode()
    assert 'lang="pl"' in html


def test_a_logged_in_user_of_another_agency_answers_like_anyone(cast, close, login):
    invitation, url = _invitation(cast, close)
    response = login(cast.admin_b).post(url, MARKS)
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.answered_at is not None


def test_the_employees_own_archive_holds_their_answer_and_an_admins_does_not(
    cast, close, client, login, on_commit
):
    import io
    import zipfile

    from trajecten.models import AccessExport

    url = _invitation(cast, close)[1]
    client.post(url, {**MARKS, "comment": "Mijn eigen woorden"})
    page = reverse("privacy:access_exports", args=[cast.traj_x1.employee.uuid])

    def archive_of(user) -> str:
        on_commit(login(user).post, page)
        export = AccessExport.objects.filter(requested_by=user).get()
        download = reverse("privacy:access_export_download", args=[export.uuid])
        response = login(user).get(download)
        archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
        return " ".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())

    own = archive_of(cast.employee_x1)
    assert "Mijn eigen woorden" in own
    assert cast.contact_x1.email not in own  # only their own answer
    assert "Mijn eigen woorden" not in archive_of(cast.admin_a)
