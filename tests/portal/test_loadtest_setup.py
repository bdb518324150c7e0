"""``manage.py loadtest_setup`` (``make load``): an account of its own for every simulated
person, each able to reach what the scenario asks of it."""

import json

import pytest
from allauth.mfa.models import Authenticator
from django.core.management import call_command
from django.db import connection

from portal.models import User
from trajecten.models import Trajectory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")


def test_every_simulated_person_has_an_account_of_their_own(db, tmp_path):
    out = tmp_path / "users.json"
    call_command("loadtest_setup", scale=0.002, users=6, employers=9, out=str(out))
    logins = json.loads(out.read_text())
    roles = ("employees", "employers", "specialists")
    assert [len(logins[role]) for role in roles] == [6, 9, 6]
    emails = [account["email"] for role in roles for account in logins[role]]
    assert len(set(emails)) == len(emails)  # a TOTP code counts once per account and period
    for account in (*logins["employers"], *logins["specialists"]):
        user = User.objects.get(email=account["email"])
        assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    # Every specialist, seeded or added, reaches the file they log conversations in; every
    # employer contact has trajectories on the dashboard; every employee has their own file.
    for account in logins["specialists"]:
        user = User.objects.get(email=account["email"])
        assert Trajectory.objects.visible_to(user).filter(uuid=account["trajectory"]).exists()
    for account in logins["employers"]:
        assert Trajectory.objects.visible_to(User.objects.get(email=account["email"])).exists()
    for account in logins["employees"]:
        user = User.objects.get(email=account["email"])
        assert Trajectory.objects.visible_to(user).filter(uuid=account["trajectory"]).exists()
