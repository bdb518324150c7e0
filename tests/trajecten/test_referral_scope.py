"""Lookups by a natural key never reach past the actor's scope (penetration test, issue 14).

A referral that gives the email address of someone the referrer may not see must not attach
the referral to that person: the referrer would then see their name, phone and sickness dates
and would have changed their record. Instead a new, pending person is made, which an agency
admin merges or keeps apart; the referrer sees the same thing either way."""

import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.html import escape

from portal.models import AuditEvent, Invitation, Product
from trajecten.models import Employee, Employment, SicknessCase, Trajectory

PROBE_EMAIL_OF = {
    # actor -> whose address they probe with (someone they may not see)
    "contact_x1": "employee_x2",  # another BV of the same employer
    "contact_y": "employee_x1",  # another employer of the agency
    "specialist_a": "employee_x2",  # a colleague's client
    "contact_z": "employee_x1",  # another agency
}


def probe(cast, actor, target_employee, **changes):
    """A referral of "Probe Person" with the target's address and first sick day."""
    target = getattr(cast, target_employee).employee_profile
    actor_user = getattr(cast, actor)
    bv = {"contact_x1": cast.x1, "contact_y": cast.y1, "specialist_a": cast.x1,
          "contact_z": cast.z1}[actor]  # fmt: skip
    data = {
        "first_name": "Probe",
        "last_name": "Person",
        "email": target.email.upper(),
        "phone": "0600000000",
        "guidance_language": "nl",
        "legal_entity": bv.pk,
        "first_sick_day": target.sickness_cases.get().first_sick_day.isoformat(),
        "product": Product.objects.get(agency=bv.agency, kind="base_3m").pk,
    }
    if actor.startswith("specialist"):
        data["specialist"] = actor_user.pk
    data.update(changes)
    return data, target


def snapshot(employee: Employee) -> tuple:
    employee.refresh_from_db()
    return (
        employee.first_name,
        employee.last_name,
        employee.phone,
        sorted(employee.employments.values_list("legal_entity_id", flat=True)),
        sorted(employee.trajectories.values_list("pk", flat=True)),
        sorted(employee.sickness_cases.values_list("pk", flat=True)),
    )


@pytest.mark.parametrize("actor", PROBE_EMAIL_OF)
def test_a_referral_with_someone_elses_address_reveals_and_changes_nothing(cast, login, actor):
    data, target = probe(cast, actor, PROBE_EMAIL_OF[actor])
    before = snapshot(target)
    client = login(getattr(cast, actor))
    response = client.post(reverse("trajecten:new"), data)
    assert response.status_code == 302
    page = client.get(response.url).content.decode()
    # The referrer sees the person they typed, never the real one.
    assert "Probe Person" in page
    assert target.first_name not in page and target.last_name not in page
    assert snapshot(target) == before
    new = Trajectory.objects.get(employee__first_name="Probe").employee
    assert new.pk != target.pk
    assert new.sickness_cases.get().pk not in before[5]
    # Within the agency the new person is marked for an admin; across agencies it is unrelated.
    same_agency = new.agency_id == target.agency_id
    assert new.possible_duplicate_of == (target if same_agency else None)


def test_the_answer_is_the_same_whether_or_not_the_address_exists(cast, login):
    """The file page after a referral with a taken and with a free address is the same page
    but for what the referrer typed, ids and tokens."""
    client = login(cast.contact_x1)
    taken, _ = probe(cast, "contact_x1", "employee_x2")
    free = {**taken, "email": "nobody-has-this@example.nl"}
    pages = []
    for data in (taken, free):
        response = client.post(reverse("trajecten:new"), data)
        assert response.status_code == 302
        page = client.get(response.url)
        assert page.status_code == 200
        text = page.content.decode().replace(data["email"].lower(), "EMAIL")
        text = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", text)
        pages.append(re.sub(r'value="[^"]{20,}"', 'value="TOKEN"', text))
    assert pages[0] == pages[1]


def test_a_person_the_referrer_may_see_is_reused(cast, login):
    """contact_x_all sees employee_x1: referring them at x2 is one person at two BVs."""
    data, target = probe(cast, "contact_x1", "employee_x1", legal_entity=cast.x2.pk)
    login(cast.contact_x_all).post(reverse("trajecten:new"), data)
    assert Employee.objects.filter(email__iexact=target.email).count() == 1
    assert target.trajectories.count() == 2
    assert target.possible_duplicates.count() == 0


def referred_duplicate(cast, login, on_commit):
    data, target = probe(cast, "contact_x1", "employee_x2")
    on_commit(login(cast.contact_x1).post, reverse("trajecten:new"), data)
    return Employee.objects.get(first_name="Probe"), target


def test_an_admin_sees_the_pending_person_and_merges_them(cast, login, on_commit):
    new, target = referred_duplicate(cast, login, on_commit)
    trajectory = new.trajectories.get()
    admin = login(cast.admin_a)
    home = admin.get(reverse("dashboards:home")).content.decode()
    assert "1 aangemelde persoon is misschien" in home
    assert reverse("trajecten:possible_duplicates") in home
    page = admin.get(reverse("trajecten:possible_duplicates")).content.decode()
    assert "Probe Person" in page and escape(target.full_name) in page  # "van 't Hof" is escaped
    response = admin.post(
        reverse("trajecten:possible_duplicate_decide", args=[new.uuid, "samenvoegen"])
    )
    assert response.status_code == 302
    trajectory.refresh_from_db()
    assert trajectory.employee == target
    # The same first sick day is the same sickness case; the BV is a second employment.
    assert trajectory.sickness_case.employee == target
    assert SicknessCase.objects.filter(employee=target).count() == 1
    bvs = Employment.objects.filter(employee=target).values_list("legal_entity", flat=True)
    assert set(bvs) == {cast.x1.pk, cast.x2.pk}
    assert not Employee.objects.filter(pk=new.pk).exists()
    assert AuditEvent.objects.filter(
        action="update", object_uuid=target.uuid, details__merged_from=str(new.uuid)
    ).exists()


def test_keeping_them_apart_sends_the_held_back_invitation(cast, login, on_commit):
    new, _target = referred_duplicate(cast, login, on_commit)
    new.email = "probe.person@example.nl"  # the admin corrected the address first
    new.save()
    trajectory = new.trajectories.get()
    admin = login(cast.admin_a)
    on_commit(
        admin.post,
        reverse("trajecten:accept", args=[trajectory.uuid]),
        {"specialist": cast.specialist_a.pk, "start_date": trajectory.referral_date.isoformat()},
    )
    assert not Invitation.objects.filter(employee=new).exists()  # held back while undecided
    mail.outbox.clear()
    on_commit(
        admin.post, reverse("trajecten:possible_duplicate_decide", args=[new.uuid, "apart-houden"])
    )
    new.refresh_from_db()
    assert new.possible_duplicate_of is None
    assert Invitation.objects.filter(employee=new).count() == 1
    assert [m.to for m in mail.outbox] == [["probe.person@example.nl"]]
    assert AuditEvent.objects.filter(object_uuid=new.uuid, details__has_key="kept_apart_from")


@pytest.mark.parametrize("who", ["specialist_a", "contact_x_all", "employee_x1", "admin_b"])
def test_only_the_agencys_admins_decide(cast, login, on_commit, who):
    new, _target = referred_duplicate(cast, login, on_commit)
    client = login(getattr(cast, who))
    page = client.get(reverse("trajecten:possible_duplicates"))
    if who == "admin_b":  # an admin has the page, with nothing of another agency on it
        assert page.status_code == 200 and "Probe" not in page.content.decode()
    else:
        assert page.status_code == 404
    url = reverse("trajecten:possible_duplicate_decide", args=[new.uuid, "samenvoegen"])
    assert client.post(url).status_code == 404
    assert Employee.objects.filter(pk=new.pk).exists()
