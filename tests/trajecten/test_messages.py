"""The message thread between an employer and the trajectory's specialists."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.models import AuditEvent
from trajecten.constants import MemberRole
from trajecten.models import Message
from trajecten.services import member_set

API = "/api/v1/messages/"


def thread_url(trajectory):
    return reverse("trajecten:messages", args=[trajectory.uuid])


def tab_url(trajectory):
    return reverse("trajecten:file", args=[trajectory.uuid]) + "?tab=messages"


def post(client, trajectory, body="Hoe gaat het met de sollicitaties?"):
    return client.post(thread_url(trajectory), {"body": body})


def test_employer_asks_and_the_specialist_is_told_by_email_without_names(cast, login, on_commit):
    response = on_commit(post, login(cast.contact_x_all), cast.traj_x1)
    assert response.status_code == 302
    message = Message.objects.get()
    assert message.author == cast.contact_x_all and message.trajectory == cast.traj_x1
    assert AuditEvent.objects.filter(object_uuid=message.uuid, action="create").exists()
    # The trajectory's specialist, and the other contact who sees BV x1; not the author.
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted([cast.specialist_a.email, cast.contact_x1.email])
    notice = next(m for m in mail.outbox if m.to == [cast.specialist_a.email])
    assert "Xavier" not in notice.body + notice.subject
    assert "sollicitaties" not in notice.body  # the text stays in the portal
    assert str(cast.traj_x1.uuid) in notice.body


def test_the_specialist_answers_and_every_contact_who_sees_the_bv_is_told(cast, login, on_commit):
    on_commit(post, login(cast.specialist_a), cast.traj_x1, "Donderdag bespreek ik het.")
    # contact_x1 sees only BV x1 (the trajectory's BV), contact_x_all all of X; contact_y none.
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [cast.contact_x_all.email, cast.contact_x1.email]
    )


def test_unread_count_until_the_thread_is_opened(cast, login, on_commit):
    on_commit(post, login(cast.contact_x_all), cast.traj_x1)
    specialist = login(cast.specialist_a)
    home = specialist.get(reverse("dashboards:home")).content.decode()
    assert "1 ongelezen bericht" in home
    html = specialist.get(tab_url(cast.traj_x1)).content.decode()
    assert "Hoe gaat het met de sollicitaties?" in html
    home = specialist.get(reverse("dashboards:home")).content.decode()
    assert "ongelezen bericht" not in home
    # The author never counts their own message as unread.
    assert "ongelezen bericht" not in login(cast.contact_x_all).get("/").content.decode()


def _counted(client) -> tuple[str, int]:
    """A page that shows nothing of the threads but the header's count, and how many queries
    read the messages table for it."""
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("rapportages:notifications")).content.decode()
    return html, sum('"trajecten_message"' in q["sql"] for q in queries.captured_queries)


def test_the_header_count_is_kept_until_a_message_or_a_read_changes_it(cast, login, on_commit):
    on_commit(post, login(cast.contact_x_all), cast.traj_x1, "Eerste vraag")
    specialist = login(cast.specialist_a)
    html, counted = _counted(specialist)
    assert "1 ongelezen bericht" in html and counted == 1
    html, counted = _counted(specialist)
    assert "1 ongelezen bericht" in html and counted == 0  # read from the cache
    on_commit(post, login(cast.contact_x_all), cast.traj_x1, "Tweede vraag")
    html, counted = _counted(login(cast.specialist_a))
    assert "2 ongelezen berichten" in html and counted == 1
    specialist.get(tab_url(cast.traj_x1))  # reading the thread, in a request of its own
    html, _ = _counted(specialist)
    assert "ongelezen bericht" not in html


def test_a_colleague_added_to_the_trajectory_counts_its_thread_at_once(cast, login, on_commit):
    on_commit(post, login(cast.contact_x_all), cast.traj_x1, "Vraag")
    html, _ = _counted(login(cast.specialist_a2))
    assert "ongelezen bericht" not in html  # not a member of traj_x1: counted and kept as 0
    on_commit(
        member_set,
        actor=cast.admin_a,
        trajectory=cast.traj_x1,
        user=cast.specialist_a2,
        role=MemberRole.SECOND_COACH,
    )
    html, counted = _counted(login(cast.specialist_a2))
    assert "1 ongelezen bericht" in html and counted == 1


def test_a_busy_thread_sends_one_notice_until_it_is_read(cast, login, on_commit):
    contact = login(cast.contact_x_all)

    def to_specialist():
        return [m for m in mail.outbox if m.to == [cast.specialist_a.email]]

    on_commit(post, contact, cast.traj_x1, "Eerste vraag")
    on_commit(post, contact, cast.traj_x1, "Tweede vraag")
    assert len(to_specialist()) == 1
    login(cast.specialist_a).get(tab_url(cast.traj_x1))
    on_commit(post, login(cast.contact_x_all), cast.traj_x1, "Derde vraag")
    assert len(to_specialist()) == 2


def test_an_empty_message_is_refused_and_a_too_long_one_keeps_the_draft(cast, login):
    client = login(cast.contact_x_all)
    post(client, cast.traj_x1, "   ")
    assert not Message.objects.exists()
    long = "x" * 4001
    response = post(client, cast.traj_x1, long)
    assert not Message.objects.exists()
    html = client.get(response.url).content.decode()
    assert "maximaal 4000 tekens" in html
    assert long in html  # nothing typed is lost


@pytest.mark.parametrize(
    "who", ["specialist_a2", "contact_y", "admin_b", "contact_z", "employee_x1"]
)
def test_outsiders_and_the_employee_get_404(cast, login, who):
    client = login(getattr(cast, who))
    assert post(client, cast.traj_x1).status_code == 404
    assert client.get(thread_url(cast.traj_x1)).status_code == 404
    assert not Message.objects.exists()


def test_the_employee_never_sees_the_thread(cast, login, on_commit):
    on_commit(post, login(cast.contact_x_all), cast.traj_x1, "Vertrouwelijk over Xavier")
    html = login(cast.employee_x1).get(tab_url(cast.traj_x1)).content.decode()
    assert "Vertrouwelijk" not in html
    assert 'href="?tab=messages"' not in html  # no such tab


def test_agency_admin_reads_but_does_not_post(cast, login, on_commit):
    on_commit(post, login(cast.contact_x_all), cast.traj_x1, "Vraag van HR")
    admin = login(cast.admin_a)
    assert "ongelezen bericht" not in admin.get(reverse("dashboards:home")).content.decode()
    assert "Vraag van HR" in admin.get(tab_url(cast.traj_x1)).content.decode()
    post(admin, cast.traj_x1, "Van de beheerder")
    assert Message.objects.count() == 1


def test_inbox_lists_threads_with_unread_counts(cast, login, on_commit):
    on_commit(post, login(cast.contact_x_all), cast.traj_x1)
    on_commit(post, login(cast.contact_y), cast.traj_y1)
    html = login(cast.specialist_a).get(reverse("trajecten:inbox")).content.decode()
    assert "Xavier" in html and "Yara" not in html
    html = login(cast.specialist_a2).get(reverse("trajecten:inbox")).content.decode()
    assert "Yara" in html and "Xavier" not in html


# --- API --------------------------------------------------------------------------------------


def test_api_messages_for_employer_and_specialist(cast, login, on_commit):
    contact = login(cast.contact_x_all)
    response = on_commit(
        contact.post,
        API,
        {"trajectory": str(cast.traj_x1.uuid), "body": "Via de API"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["body"] == "Via de API"
    assert [m.to for m in mail.outbox if m.to == [cast.specialist_a.email]]
    listed = login(cast.specialist_a).get(API, {"trajectory": str(cast.traj_x1.uuid)}).json()
    assert [m["body"] for m in listed["results"]] == ["Via de API"]


@pytest.mark.parametrize("who", ["employee_x1", "specialist_a2", "contact_y", "admin_b"])
def test_api_outsiders_neither_read_nor_write(cast, login, on_commit, who):
    on_commit(post, login(cast.contact_x_all), cast.traj_x1)
    client = login(getattr(cast, who))
    assert client.get(API).json()["results"] == []
    message = Message.objects.get()
    assert client.get(f"{API}{message.uuid}/").status_code == 404
    response = client.post(
        API,
        {"trajectory": str(cast.traj_x1.uuid), "body": "x"},
        content_type="application/json",
    )
    assert response.status_code in (400, 403, 404)
    assert Message.objects.count() == 1


def test_api_admin_may_not_post_and_empty_body_is_a_400(cast, login):
    payload = {"trajectory": str(cast.traj_x1.uuid), "body": "x"}
    response = login(cast.admin_a).post(API, payload, content_type="application/json")
    assert response.status_code == 403
    payload["body"] = ""
    response = login(cast.contact_x_all).post(API, payload, content_type="application/json")
    assert response.status_code == 400
    assert not Message.objects.exists()
