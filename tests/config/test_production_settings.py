"""Production mode (DJANGO_DEBUG=false) refuses to start without its secrets and passes
Django's deployment checks when they are given."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GOOD = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "k" * 20 + "-a-long-random-production-secret-0123456789",
    "DJANGO_ALLOWED_HOSTS": "spoorboek.example.nl",
    "DATABASE_URL": "postgres://spoorboek:secret@db:5432/spoorboek",
}


def run_manage(*args, **env_overrides):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    env.update(GOOD)
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    for key, value in env_overrides.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ({"DJANGO_SECRET_KEY": None}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_SECRET_KEY": "short"}, "DJANGO_SECRET_KEY"),
        ({"DJANGO_ALLOWED_HOSTS": None}, "DJANGO_ALLOWED_HOSTS"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"DATABASE_URL": "sqlite:////tmp/x.sqlite3"}, "DATABASE_URL"),
    ],
)
def test_production_refuses_to_start_and_names_the_missing_variable(missing, named):
    result = run_manage("check", **missing)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_bare_deployment_fails_closed():
    """Nothing set is production, not the development default: without its secrets it does
    not start, and it says which variable is missing and how to develop instead."""
    result = run_manage(
        "check", DJANGO_DEBUG=None, DJANGO_SECRET_KEY=None, DJANGO_ALLOWED_HOSTS=None
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr
    assert "make run" in result.stderr


def test_prepared_statements_are_off_unless_asked_for():
    """config/settings.py, PREPARED_STATEMENTS: off until every unbounded IN list is split
    (a statement takes at most 65,535 parameters)."""
    show = "from django.conf import settings; print(settings.DATABASES['default']['OPTIONS'])"
    off = run_manage("shell", "-c", show)
    assert off.returncode == 0, off.stderr
    assert "server_side_binding" not in off.stdout
    assert "prepare_threshold" not in off.stdout
    on = run_manage("shell", "-c", show, DATABASE_PREPARED_STATEMENTS="true")
    assert "'server_side_binding': True" in on.stdout, on.stderr
    assert "'prepare_threshold': 5" in on.stdout
