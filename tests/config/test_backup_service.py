"""docker-compose's backup service and beat's daily backup: as docs/operations.md says."""

import os
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_the_backup_service_is_the_owners_worker_of_the_backup_queue_with_its_own_volume():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    backup = compose["services"]["backup"]
    assert backup["command"][:6] == ["celery", "-A", "config", "worker", "-Q", "backup"]
    assert backup["environment"]["DATABASE_URL"].startswith("postgres://spoorboek_owner:")
    assert "BACKUP_AGE_RECIPIENTS" in backup["environment"]
    assert "backups:/backups" in backup["volumes"] and "backups" in compose["volumes"]
    assert "private-files:/data/private:ro" in backup["volumes"]  # it reads, never writes
    for other in ("web", "worker", "beat"):  # nobody else takes the backup queue
        assert "backup" not in " ".join(compose["services"][other].get("command", []))
    # The signing key: the backup service alone reads .env.backup (issue 38, item 6).
    assert backup["env_file"] == [".env", ".env.backup"]
    for name, service in compose["services"].items():
        if name != "backup":
            assert ".env.backup" not in str(service.get("env_file", "")), name
            assert "BACKUP_SIGNING_KEY" not in str(service.get("environment", "")), name


def test_beat_schedules_the_daily_backup_once_a_key_is_set():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.CELERY_BEAT_SCHEDULE.get('make-backup', {}).get('task'), "
        "s.CELERY_TASK_ROUTES['portal.tasks.make_backup']['queue'])"
    )
    base = {**os.environ, "DJANGO_DEBUG": "true", "DJANGO_SETTINGS_MODULE": "config.settings"}
    base.pop("BACKUP_AGE_RECIPIENTS", None)

    def run(env):
        return subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
        ).stdout.split()

    assert run(base) == ["None", "backup"]
    assert run({**base, "BACKUP_AGE_RECIPIENTS": "age1example"}) == [
        "portal.tasks.make_backup",
        "backup",
    ]
