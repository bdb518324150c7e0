"""/readyz: ready only when the database, the cache and the file storage answer; the reason
is told to platform operators, never to an anonymous caller."""

import logging

import pytest
from django.urls import reverse

from portal import health


def test_ready_when_everything_answers(db, client):
    response = client.get(reverse("readyz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.parametrize("check", ["database", "cache", "storage"])
def test_not_ready_when_one_part_fails_and_no_details_leak(
    db, client, monkeypatch, caplog, settings, check
):
    def broken():
        raise OSError("connection refused to 10.0.0.5")

    settings.READYZ_TOKEN = "health-token"
    monkeypatch.setitem(health.CHECKS, check, broken)
    with caplog.at_level(logging.WARNING, logger="portal.health"):
        response = client.get(reverse("readyz"), HTTP_X_READYZ_TOKEN="health-token")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable"}
    assert "10.0.0.5" not in response.content.decode()
    assert any(check in r.getMessage() for r in caplog.records)  # the log says which


def test_platform_operators_see_which_check_failed(db, client, monkeypatch):
    from tests.factories import UserFactory

    operator = UserFactory(is_staff=True, is_superuser=True, agency=None, role="")
    client.force_login(operator)
    monkeypatch.setitem(health.CHECKS, "storage", lambda: 1 / 0)
    body = client.get(reverse("readyz")).json()
    assert body == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "ok", "storage": "failed"},
    }


def test_the_storage_check_leaves_no_file_behind(db, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)  # default_storage follows (setting_changed)

    from django.core.files.storage import default_storage

    assert default_storage.path("x").startswith(str(tmp_path))  # the check writes here
    health._storage()
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


def test_an_anonymous_call_writes_nothing_and_a_token_runs_the_full_check(
    db, client, monkeypatch, settings
):
    """Issue 38, item 12: every anonymous call wrote a file and a cache key."""
    written = []
    monkeypatch.setitem(health.CHECKS, "storage", lambda: written.append("file"))
    monkeypatch.setitem(health.CHECKS, "cache", lambda: written.append("key"))
    settings.READYZ_TOKEN = "health-token"
    for _ in range(3):
        assert client.get(reverse("readyz")).json() == {"status": "ok"}
    assert written == []
    assert client.get(reverse("readyz"), HTTP_X_READYZ_TOKEN="wrong").status_code == 200
    assert written == []
    client.get(reverse("readyz"), HTTP_X_READYZ_TOKEN="health-token")
    assert written == ["key", "file"]


def test_the_cheap_check_still_fails_when_the_database_is_gone(db, client, monkeypatch):
    monkeypatch.setitem(health.CHEAP_CHECKS, "database", lambda: 1 / 0)
    assert client.get(reverse("readyz")).status_code == 503
