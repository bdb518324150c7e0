"""Faults on the real services (PostgreSQL and Redis, as in CI).

* A worker killed with SIGKILL in the middle of rendering a report: the render is lost with
  the worker; the sweeper finds the signed report without a PDF, and the report is produced
  exactly once.
* Redis killed and started again with the append-only file on (as docker-compose runs it):
  the queued render survives and a worker renders it.
* Redis emptied completely (every key gone): the next runs of beat's sweeps re-derive the due
  drafts and the lost render from the database.
* Beat and a worker killed together in the middle of a render and started again: nothing is
  lost and the report is rendered once.

The dispatcher run twice at once is in test_real_services.py; a database outage in the middle
of saving an application in tests/sollicitaties/test_applications.py."""

import os
import shutil
import signal
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from rapportages import content, services
from rapportages.models import Report
from rapportages.tasks import render_report
from tests.processes import (
    QUIET_WORKER,
    not_eager,
    own_redis,
    running,
    start_celery,
    start_worker,
    wait_for,
)

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set"),
    pytest.mark.django_db(transaction=True),
]


def send(report_id: int, agency_id: int, queue: str, redis_url: str | None = None) -> None:
    from kombu import Connection

    with Connection(redis_url or os.environ["REDIS_URL"]) as broker:
        render_report.apply_async(
            args=[report_id], kwargs={"agency_id": agency_id}, queue=queue, connection=broker
        )


def signed_report(cast, progress: str) -> Report:
    report = Report.objects.create(
        trajectory=cast.traj_x1, agency_id=cast.agency_a.pk, kind="progress", number=1,
        period_start=date(2026, 5, 1), period_end=date(2026, 7, 31), due_date=date(2026, 8, 1),
    )  # fmt: skip
    report.snapshot = {
        **content.build(report, today=timezone.localdate()),
        "narrative": {"progress": progress},
        "signature": {"name": "Test", "date": "1 augustus 2026"},
    }
    report.status, report.signed_by = "signed", cast.specialist_a
    report.signed_at = timezone.now() - timedelta(minutes=30)
    report.save()
    return report


def test_a_report_survives_a_worker_killed_mid_render_and_is_produced_once(cast):
    # Long enough that rendering takes seconds: time to kill the worker in the middle.
    report = signed_report(cast, "Voortgang van de werknemer in dit traject. " * 12000)
    pdf_dir = Path(settings.MEDIA_ROOT) / "reports"
    first = start_worker(queue := f"fault-a-{report.pk}-{os.getpid()}")
    with not_eager(), running(first):
        import redis

        broker = redis.Redis.from_url(os.environ["REDIS_URL"])
        send(report.pk, report.agency_id, queue)
        # Wait until the worker has taken the message (a slow machine may need a while to
        # start it), then give the render a moment to be under way before killing it.
        assert wait_for(lambda: any(queue.encode() in raw for raw in broker.hvals("unacked")), 90)
        time.sleep(1)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
        report.refresh_from_db()
        assert report.status == "signed" and not report.pdf  # the render died with the worker
        # The worker had taken the message: it waits, unacknowledged, in the broker (late
        # acknowledgement), for the visibility timeout; the database does not wait for that.
        assert any(queue.encode() in raw for raw in broker.hvals("unacked"))

        # The sweeper (beat, every 5 minutes) finds it; a new worker renders it.
        pending = services.reports_pending_render(now=timezone.now())
        assert pending == [(report.pk, report.agency_id)]
        with running(start_worker(queue_b := f"fault-b-{report.pk}-{os.getpid()}")):
            for report_id, agency_id in pending * 2:  # queued twice on purpose: rendered once
                send(report_id, agency_id, queue_b)
            assert wait_for(
                lambda: Report.objects.filter(pk=report.pk, status="final").exists(), 240
            )
            time.sleep(3)  # let the duplicate run: it must find nothing to do
    report.refresh_from_db()
    assert report.status == "final" and report.pdf_sha256
    assert Report.objects.filter(trajectory=report.trajectory).count() == 1
    rendered = [p for p in pdf_dir.rglob("*.pdf") if str(report.uuid) in p.name]
    assert len(rendered) == 1  # one PDF, not one per attempt
    assert services.reports_pending_render(now=timezone.now()) == []


@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
def test_queued_work_survives_a_redis_crash_with_aof_on(cast, tmp_path):
    """A Redis of its own, with the append-only file on (as docker-compose runs it): a queued
    render survives Redis being killed and started again, and a worker then renders it."""
    import redis

    report = signed_report(cast, "Na de herstart van Redis gerenderd.")
    queue = f"aof-{report.pk}-{os.getpid()}"
    with not_eager(), own_redis(6390 + os.getpid() % 50, tmp_path, aof=True) as server:
        send(report.pk, report.agency_id, queue, redis_url=server.url)
        assert redis.Redis.from_url(server.url).llen(queue) == 1
        server.crash()
        server.start()
        assert redis.Redis.from_url(server.url).llen(queue) == 1  # still there
        with running(start_worker(queue, redis_url=server.url)):
            assert wait_for(
                lambda: Report.objects.filter(pk=report.pk, status="final").exists(), 120
            )


@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
def test_redis_emptied_completely_loses_no_due_report(cast, tmp_path):
    """Not a restart: every key gone (FLUSHALL, a new empty server). The work that was queued
    is lost with it, and the next runs of beat's sweeps re-derive all of it from the
    database: the drafts that fell due and the render of a signed report without its PDF."""
    import redis

    from rapportages.tasks import render_pending_reports, schedule_reports

    # A trajectory whose 3-month report falls due soon, and a signed report waiting
    # for its PDF: both queued (as beat and signing queue them), then the broker is emptied.
    cast.traj_y1.start_date = timezone.localdate() - timedelta(days=80)
    cast.traj_y1.save(update_fields=["start_date"])
    signed = signed_report(cast, "Ondertekend vlak voor het verlies van Redis.")
    queue = f"flush-{signed.pk}-{os.getpid()}"
    with not_eager(), own_redis(6340 + os.getpid() % 50, tmp_path) as server:
        from kombu import Connection

        url = server.url
        with Connection(url) as broker:
            schedule_reports.apply_async(queue=queue, connection=broker)
        send(signed.pk, signed.agency_id, queue, redis_url=url)
        client = redis.Redis.from_url(url)
        assert client.llen(queue) == 2
        client.flushall()  # everything: queues, results, cache
        assert client.dbsize() == 0
        assert not Report.objects.filter(trajectory=cast.traj_y1).exists()

        # The next runs of the sweeps (beat queues them on their schedule) find it all again.
        # The sweepers queue on celery, the renders they find go to the reports queue.
        with running(start_worker(f"{queue},celery,reports", redis_url=url)):
            with Connection(url) as broker:
                schedule_reports.apply_async(queue=queue, connection=broker)
                render_pending_reports.apply_async(queue=queue, connection=broker)
            assert wait_for(lambda: Report.objects.filter(trajectory=cast.traj_y1).exists(), 120)
            assert wait_for(
                lambda: Report.objects.filter(pk=signed.pk, status="final").exists(), 120
            )
    kinds = set(Report.objects.filter(trajectory=cast.traj_y1).values_list("kind", flat=True))
    assert kinds == {"progress"}  # the 3-month report, due within the drafts' lead time
    assert services.reports_pending_render(now=timezone.now()) == []


@pytest.mark.skipif(not shutil.which("redis-server"), reason="redis-server is not installed")
def test_beat_and_a_worker_killed_mid_run_and_restarted_lose_nothing(cast, tmp_path):
    """Beat (its sweeper every second here) and a worker, on a Redis of their own, are both
    killed with SIGKILL while the worker renders a report that had lost its render, then
    started again: beat keeps no work of its own, so the restarted pair finds the report in
    the database and renders it, once."""
    import redis

    report = signed_report(cast, "Voortgang na een herstart van beat en worker. " * 12000)
    schedule = tmp_path / "beat-schedule"

    def pair(url):
        return [
            start_celery("beat", "--schedule", str(schedule), "--max-interval", "1",
                         app="tests.rapportages.fast_beat", redis_url=url),
            start_celery(*QUIET_WORKER, app="tests.rapportages.fast_beat", redis_url=url),
        ]  # fmt: skip

    with own_redis(6290 + os.getpid() % 50, tmp_path) as server:
        broker = redis.Redis.from_url(server.url)
        with running(*pair(server.url)) as first:
            # The worker has taken a render (unacknowledged in the broker), not finished it.
            assert wait_for(
                lambda: any(b"render_report" in raw for raw in broker.hvals("unacked")), 90
            )
            assert not Report.objects.filter(pk=report.pk, status="final").exists()
            for process in first:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=30)
        report.refresh_from_db()
        assert report.status == "signed" and not report.pdf  # lost with the worker
        with running(*pair(server.url)):
            assert wait_for(
                lambda: Report.objects.filter(pk=report.pk, status="final").exists(), 240
            )
            time.sleep(3)  # more sweeps and redeliveries: nothing left to do
    report.refresh_from_db()
    assert report.status == "final" and report.pdf_sha256
    rendered = [p for p in (Path(settings.MEDIA_ROOT) / "reports").rglob("*.pdf")
                if str(report.uuid) in p.name]  # fmt: skip
    assert len(rendered) == 1
