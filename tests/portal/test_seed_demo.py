import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from portal.models import Agency, User
from trajecten.models import Employee, Trajectory


def seed(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    return capsys.readouterr().out


def test_seed_demo_is_idempotent_and_prints_every_login(db, settings, capsys):
    out = seed(settings, capsys)
    counts = (User.objects.count(), Employee.objects.count(), Trajectory.objects.count())
    seed(settings, capsys)
    assert (User.objects.count(), Employee.objects.count(), Trajectory.objects.count()) == counts
    assert settings.DEMO_PASSWORD in out
    for user in User.objects.all():
        assert user.email in out


def test_demo_agencies_use_different_phase_sets_and_polish_names(db, settings, capsys):
    seed(settings, capsys)
    six, four = Agency.objects.order_by("name")
    assert (six.phases.count(), four.phases.count()) == (6, 4)
    assert Employee.objects.filter(guidance_language="pl", last_name="Kowalski").exists()
    piotr = Employee.objects.get(last_name="Kowalski")
    assert piotr.employments.count() == 2  # one person, two BVs, no duplicate


def test_demo_logins_see_only_their_own_agency(db, settings, capsys, client):
    seed(settings, capsys)
    client.post(
        reverse("account_login"),
        {"login": "hr.vermeer@tweedekans.example", "password": settings.DEMO_PASSWORD},
    )
    html = client.get(reverse("portal:home")).content.decode()
    assert "Tomasz" in html
    assert "Kowalski" not in html


def test_seed_demo_refuses_to_run_in_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
