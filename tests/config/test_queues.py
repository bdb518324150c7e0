"""Celery queues per kind of work (docs/operations.md, "Scaling"): email, reports and exports
each have a queue, so a burst of one never waits in front of another, and each can have
workers of its own on other hosts."""

import os
import shutil
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from config.celery import app as celery_app
from tests.factories import InvitationFactory

ROOT = Path(__file__).resolve().parents[2]

#: Every task of the project and the queue it goes to. A new task must be added here: where it
#: runs is a decision, not an accident.
QUEUES = {
    "portal.tasks.send_invitation_email": "email",
    # A person's digest of notices, and an SMS reminder: messages to people, like the emails.
    "portal.tasks.send_digest": "email",
    "portal.tasks.send_sms": "email",
    "trajecten.tasks.notify_referral": "email",
    "trajecten.tasks.send_referral_notice": "email",
    "trajecten.tasks.notify_message": "email",
    "kwaliteit.tasks.send_survey": "email",
    "rapportages.tasks.notify_report_final": "email",
    "rapportages.tasks.send_report_final_notice": "email",
    "rapportages.tasks.notify_report_offered": "email",
    "rapportages.tasks.send_report_reminder": "email",
    "rapportages.tasks.render_report": "reports",
    "rapportages.tasks.build_bundle": "exports",
    "trajecten.tasks.build_access_export": "exports",
    # A whole agency's applications judged again (a long batch, like an export).
    "sollicitaties.tasks.repeats_refresh_agency": "exports",
    # A transfer archive checked and imported (overdracht): long batches.
    "overdracht.tasks.check_transfer": "exports",
    "overdracht.tasks.run_transfer": "exports",
    # A month's invoices proposed for one agency (facturen): a batch over its files.
    "facturen.tasks.propose_invoices": "exports",
    "portal.tasks.make_backup": "backup",
    # A webhook waits on another system (up to 15 s): a queue of its own, beside the email's.
    "portal.tasks.send_webhook": "webhooks",
    # Beat's sweeps: small, they only queue the work above.
    "rapportages.tasks.schedule_reports": "celery",
    "rapportages.tasks.render_pending_reports": "celery",
    "rapportages.tasks.send_report_reminders": "celery",
    "kwaliteit.tasks.send_survey_reminders": "celery",
    "trajecten.tasks.record_renewals": "celery",
    "trajecten.tasks.apply_retention": "celery",
    "portal.tasks.send_due_webhooks": "celery",
    "portal.tasks.prune_webhook_log": "celery",
    "portal.tasks.send_due_digests": "celery",
    "portal.tasks.send_due_sms": "celery",
    "rapportages.tasks.queue_sms_reminders": "celery",
    # The RIV check of every running file an endpoint hears of: reads, and small deliveries.
    "rapportages.tasks.tell_riv_findings": "celery",
    "facturen.tasks.propose_monthly_invoices": "celery",
}
PROJECT = ("portal.", "trajecten.", "rapportages.", "kwaliteit.", "sollicitaties.", "overdracht.",
           "facturen.")  # fmt: skip


def queue_of(name: str) -> str:
    route = celery_app.amqp.router.route({}, name)
    return route["queue"].name


def test_every_task_goes_to_the_queue_of_its_kind():
    celery_app.loader.import_default_modules()
    project = {name for name in celery_app.tasks if name.startswith(PROJECT)}
    assert project == set(QUEUES)  # a new task needs its queue decided (and listed above)
    assert {name: queue_of(name) for name in project} == QUEUES


def test_a_worker_without_queues_takes_everything_but_the_backup():
    configured = {queue.name for queue in celery_app.conf.task_queues}
    assert configured == {"celery", "email", "reports", "exports", "webhooks"}


def test_every_queue_has_a_worker_in_the_compose_file():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    taken = set()
    for service in compose["services"].values():
        command = service.get("command") or []
        if command[:4] == ["celery", "-A", "config", "worker"]:
            taken |= set(command[command.index("-Q") + 1].split(",")) if "-Q" in command else set()
    assert taken == set(QUEUES.values())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
@pytest.mark.redis  # a Redis of its own, on the fault tests' ports
@pytest.mark.django_db(transaction=True)
def test_a_burst_of_uwv_files_does_not_delay_an_email(tmp_path):
    """A real broker (a Redis of the test's own) and the email host's worker (-Q email): forty
    UWV files are queued first, then an invitation; the email goes out at once while the
    files wait for the exports workers."""
    import redis
    from kombu import Connection

    from portal.tasks import send_invitation_email
    from rapportages.tasks import build_bundle
    from tests.processes import not_eager, own_redis, running, start_worker, wait_for

    invitation = InvitationFactory(email="nieuw.collega@example.nl")
    outbox = tmp_path / "outbox"
    with not_eager(), own_redis(6240 + os.getpid() % 50, tmp_path) as server:
        with Connection(server.url) as broker:
            for job_id in range(1, 41):
                build_bundle.apply_async(
                    args=[job_id], kwargs={"agency_id": invitation.agency_id}, connection=broker
                )
            send_invitation_email.apply_async(
                args=[invitation.pk], kwargs={"agency_id": invitation.agency_id},
                connection=broker,
            )  # fmt: skip
        client = redis.Redis.from_url(server.url)
        assert (client.llen("exports"), client.llen("email")) == (40, 1)
        started = time.monotonic()
        # django-environ: the outbox's path after "///"
        with running(start_worker("email", server.url, EMAIL_URL=f"filemail:///{outbox}")):
            assert wait_for(lambda: outbox.exists() and any(outbox.iterdir()), 90)
            seconds = time.monotonic() - started
        sent = "".join(p.read_text() for p in outbox.iterdir())
        assert "nieuw.collega@example.nl" in sent
        assert client.llen("email") == 0
        assert client.llen("exports") == 40  # untouched: they wait for their own workers
        assert seconds < 60, seconds  # the worker's start-up, not forty files
    assert settings.CELERY_TASK_ROUTES["rapportages.tasks.build_bundle"] == {"queue": "exports"}
