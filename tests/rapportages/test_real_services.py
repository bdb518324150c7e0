"""On the real services (as in CI): the scheduler run concurrently, and a real Celery worker
consuming from Redis renders a signed report."""

import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from config.celery import app as celery_app
from rapportages import content, services
from rapportages.models import Report
from rapportages.tasks import render_report
from tests.concurrency import run_concurrently
from tests.conftest import worker_environment
from tests.factories import AgencyFactory, LegalEntityFactory, TrajectoryFactory

ROOT = Path(__file__).resolve().parents[2]
on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL for concurrent transactions"
)


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_scheduler_runs_make_each_report_once():
    agency = AgencyFactory()
    for _ in range(15):
        t = TrajectoryFactory(legal_entity=LegalEntityFactory(employer__agency=agency))
        t.start_date, t.referral_date = date(2025, 6, 30), date(2025, 6, 20)
        t.save()
    errors = run_concurrently(lambda: services.reports_schedule(today=date(2026, 6, 1)))
    assert errors == []
    # 30 Sep, 30 Dec and 30 Mar; 30 Jun lies beyond the 14-day lead. Three each, never six.
    assert Report.objects.count() == 15 * 3
    assert Report.objects.values("trajectory", "kind", "number").distinct().count() == 15 * 3


@on_postgres
@pytest.mark.redis
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="REDIS_URL not set")
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_a_signed_report_from_redis(cast, tmp_path):
    from kombu import Connection

    report = Report.objects.create(
        trajectory=cast.traj_x1, agency_id=cast.agency_a.pk, kind="progress", number=1,
        period_start=date(2026, 5, 1), period_end=date(2026, 7, 31), due_date=date(2026, 8, 1),
    )  # fmt: skip
    report.snapshot = {
        **content.build(report, today=timezone.localdate()),
        "narrative": {"progress": "WORKER-RENDERED"},
        "signature": {"name": "Test", "date": "1 augustus 2026"},
    }
    report.status, report.signed_by, report.signed_at = "signed", cast.specialist_a, timezone.now()
    report.save()

    env = {**os.environ, **worker_environment()}
    queue = f"e2e-{report.pk}-{os.getpid()}"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-Q", queue,
         "--without-heartbeat", "--without-mingle", "--without-gossip", "-l", "WARNING"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with Connection(os.environ["REDIS_URL"]) as broker:
            render_report.apply_async(
                args=[report.pk],
                kwargs={"agency_id": report.agency_id},
                queue=queue,
                connection=broker,
            )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            report.refresh_from_db()
            if report.status == "final":
                break
            time.sleep(0.5)
    finally:
        celery_app.conf.task_always_eager = eager
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert report.status == "final", output[-2000:]
    assert report.pdf_sha256 and report.pdf.size > 1000
