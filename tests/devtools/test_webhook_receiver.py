"""`make webhook-receiver` (the demo's and an integrator's receiver): it checks each message's
signature with the secret and says so, and answers 503 to the first N when asked to fail."""

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

from standardwebhooks import Webhook

from portal.webhooks.services import new_secret
from tests.portal.webhook_receiver import free_port

ROOT = Path(__file__).resolve().parents[2]


def _post(port: int, secret: str, event: str) -> int:
    body = json.dumps({"type": event, "timestamp": "2026-12-06T10:00:00Z", "data": {"x": 1}})
    now = datetime.now(tz=UTC)
    headers = {
        "Content-Type": "application/json",
        "webhook-id": f"msg_{event}",
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": Webhook(secret).sign(f"msg_{event}", now, body),
    }
    request = urllib.request.Request(f"http://127.0.0.1:{port}/spoorboek", body.encode(), headers)
    try:
        with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310 (http, loopback)
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def test_the_receiver_checks_signatures_and_fails_when_asked(tmp_path):
    port, secret = free_port(), new_secret()
    env = {**os.environ, "DJANGO_DEBUG": "true", "PYTHONUNBUFFERED": "1",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "config.settings"}  # fmt: skip
    env.pop("SPOORBOEK_TESTING", None)
    receiver = subprocess.Popen(
        [sys.executable, "manage.py", "webhook_receiver", str(port), "--secret", secret,
         "--fail", "1", "--skip-checks"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                answers = [_post(port, secret, "report.final")]
                break
            except (ConnectionError, urllib.error.URLError):
                time.sleep(0.1)
        answers += [_post(port, secret, "trajectory.closed"), _post(port, new_secret(), "forged")]
    finally:
        receiver.terminate()
        out, _ = receiver.communicate(timeout=10)
    assert answers == [503, 204, 204]
    assert "msg_report.final: report.final, signature valid (answered 503)" in out
    assert "msg_trajectory.closed: trajectory.closed, signature valid (answered 204)" in out
    assert "msg_forged: signature NOT valid" in out
