"""Measure pages, API lists, matching, the dispatcher and PDF rendering on seeded data, each
next to its floor measured in the same run, and check the budgets."""

import gc
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import dashboards, live
from portal.models import LegalEntity
from rapportages import bundle, pdf
from rapportages import services as report_services
from rapportages.constants import ReportKind, ReportStatus
from rapportages.models import BundleJob, Report
from sollicitaties import matching
from sollicitaties.models import Vacancy
from trajecten.models import SearchFunction, SearchProfile

from .seed import Seeded


@dataclass
class Result:
    name: str
    median_ms: float
    p95_ms: float
    queries: int | None
    floor: str = ""
    floor_ms: float | None = None
    budgets: list[tuple[str, bool]] = field(default_factory=list)
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return round(self.median_ms / self.floor_ms, 2) if self.floor_ms else None

    @property
    def ok(self) -> bool:
        return all(passed for _text, passed in self.budgets)

    def as_dict(self) -> dict:
        return {**asdict(self), "ratio": self.ratio, "ok": self.ok}


def _stats(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return round(statistics.median(ordered) * 1000, 1), round(p95 * 1000, 1)


def timed(func: Callable, runs: int, warmup: int = 2) -> tuple[float, float, int]:
    """(median ms, p95 ms, queries of one run)."""
    for _ in range(warmup):
        func()
    connection.queries_log.clear()  # the log keeps 9,000 entries; a full log counts nothing
    with CaptureQueriesContext(connection) as ctx:
        func()
    queries = sum(1 for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"])
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        samples.append(time.perf_counter() - start)
    median, p95 = _stats(samples)
    return median, p95, queries


def _get(client: Client, url: str, **extra) -> Callable:
    def run():
        response = client.get(url, **extra)
        assert response.status_code == 200, (url, response.status_code)

    return run


def _client(user=None) -> Client:
    client = Client(SERVER_NAME="localhost")
    if user is None:
        return client
    client.force_login(user)
    return client


def _sql(statement: str, params) -> Callable:
    def run():
        with connection.cursor() as cursor:
            cursor.execute(statement, params)
            cursor.fetchall()

    return run


def measure(seeded: Seeded, *, runs: int = 20, worker: bool = False) -> list[Result]:
    # Like a production worker after start-up (config/wsgi.py): the long-lived heap is frozen
    # out of the garbage collector's reach, so full collections stay short.
    gc.collect()
    gc.freeze()
    try:
        return _measure(seeded, runs=runs, worker=worker)
    finally:
        gc.unfreeze()


def _measure(seeded: Seeded, *, runs: int, worker: bool) -> list[Result]:
    results = []
    today = timezone.localdate()
    large = seeded.sizes.trajectories >= 10_000  # budgets apply to the reference data only

    def add(name, func, *, floor=None, floor_name="", budgets=(), note="", n=runs):
        median, p95, queries = timed(func, n)
        floor_ms = timed(floor, n)[0] if floor else None
        result = Result(name, median, p95, queries, floor_name, floor_ms, note=note)
        for text, check in budgets:
            result.budgets.append((text, bool(check(result)) if large else True))
        results.append(result)
        return result

    anonymous = _client()
    add("empty Django view (framework floor)", _get(anonymous, "/healthz/"))

    # The employer dashboard of the largest employer: figures over all its trajectories.
    contact = _client(seeded.contact)
    bv_ids = list(
        LegalEntity.objects.filter(employer__contacts__user=seeded.contact).values_list(
            "id", flat=True
        )
    )
    placeholders = ", ".join(["%s"] * len(bv_ids))
    dashboard_sql = _sql(
        "SELECT t.legal_entity_id, t.status, count(DISTINCT t.id), count(a.id) "  # noqa: S608
        "FROM trajecten_trajectory t LEFT JOIN sollicitaties_applicationactivity a "
        "ON a.trajectory_id = t.id AND a.date >= %s "
        f"WHERE t.agency_id = %s AND t.legal_entity_id IN ({placeholders}) GROUP BY 1, 2",
        [today - timedelta(days=56), seeded.agency.pk, *bv_ids],
    )
    add(
        "employer dashboard (largest employer)",
        _get(contact, reverse("portal:home")),
        floor=dashboard_sql,
        floor_name="raw SQL of the figures",
        budgets=[
            ("p95 <= 150 ms", lambda r: r.p95_ms <= 150),
            ("<= 2x its SQL floor", lambda r: r.ratio <= 2),
        ],
        note=f"{seeded.sizes.largest} trajectories, 5 BVs",
    )
    employer_keys = dashboards.live_keys(seeded.contact, "employer")

    def after_a_change():
        live.bump(employer_keys)  # as an application recorded at this employer would
        _get(contact, reverse("portal:home"))()

    add(
        "employer dashboard, first view after a change",
        after_a_change,
        floor=dashboard_sql,
        floor_name="raw SQL of the figures",
        note="recomputes the figures of every trajectory; no budget",
        n=max(5, runs // 2),
    )
    html = contact.get(reverse("portal:home")).content.decode()
    poll = html.split('hx-get="', 1)[1].split('"', 1)[0].replace("&amp;", "&")

    def unchanged_poll():
        assert contact.get(poll, HTTP_HX_REQUEST="true").status_code == 204

    add(
        "employer dashboard, live poll (unchanged)",
        unchanged_poll,
        floor=_get(anonymous, "/healthz/"),
        floor_name="framework floor",
    )
    specialist = _client(seeded.specialist)
    caseload_page = add(
        "specialist's caseload",
        _get(specialist, reverse("trajecten:list")),
        budgets=[("p95 <= 100 ms", lambda r: r.p95_ms <= 100)],
    )
    day_page = add("specialist's day", _get(specialist, reverse("portal:home")))
    file_owner = _client(seeded.file_trajectory.memberships.get().user)
    add(
        "trajectory file, applications tab (400)",
        _get(
            file_owner,
            reverse("trajecten:file", args=[seeded.file_trajectory.uuid]) + "?tab=applications",
        ),
        budgets=[("p95 <= 100 ms", lambda r: r.p95_ms <= 100)],
    )
    admin = _client(seeded.admin)
    for name, url, narrow in (
        ("API list: trajectories", "/api/v1/trajectories/", "?status=referred&page_size=50"),
        (
            "API list: applications",
            "/api/v1/application-activities/",
            f"?trajectory={seeded.file_trajectory.uuid}&page_size=50",
        ),
    ):
        few = timed(_get(admin, url + narrow), 1, warmup=1)[2]
        add(
            name + " (50 per page)",
            _get(admin, url + "?page_size=50"),
            floor=_get(anonymous, "/healthz/"),
            floor_name="framework floor",
            budgets=[
                ("p95 <= 60 ms", lambda r: r.p95_ms <= 60),
                (f"same queries as a short list ({few})", lambda r, few=few: r.queries == few),
            ],
        )

    # The results of the measurement period (the last 12 months) over the whole agency.
    year_ago = today - timedelta(days=365)
    add(
        "results page (agency, last 12 months)",
        _get(admin, reverse("kwaliteit:results")),
        floor=_sql(
            "SELECT t.closing_reason, count(DISTINCT t.id), count(s.id), "
            "avg(s.guidance + s.communication + s.result) FROM trajecten_trajectory t "
            "LEFT JOIN kwaliteit_surveyinvitation s ON s.trajectory_id = t.id "
            "WHERE t.agency_id = %s AND t.status = 'ended' AND t.end_date BETWEEN %s AND %s "
            "GROUP BY 1",
            [seeded.agency.pk, year_ago, today],
        ),
        floor_name="raw SQL of the closings and answers",
        budgets=[("p95 <= 300 ms", lambda r: r.p95_ms <= 300)],
        n=max(5, runs // 2),
    )

    profile = _search_profile(seeded)
    functions = list(profile.functions.all())
    vacancies = Vacancy.objects.filter(agency=seeded.agency)  # as access.scope gives it
    add(
        f"vacancy matching ({vacancies.count()} vacancies)",
        lambda: matching.suggest(
            profile=profile, functions=functions, vacancies=vacancies, today=today
        ),
        budgets=[("<= 200 ms", lambda r: r.p95_ms <= 200)],
    )

    # The daily dispatcher: first catch up once (the seed has no drafts), then measure the
    # runs of a normal day, which find everything in place and create what fell due today.
    started = time.perf_counter()
    caught_up = report_services.reports_schedule(today=today)
    catch_up_seconds = time.perf_counter() - started

    def dispatch():
        report_services.reports_schedule(today=today)

    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as ctx:
        dispatch()
    reads = sum(1 for q in ctx.captured_queries if "SELECT" in q["sql"][:40])
    add(
        f"daily report dispatcher ({seeded.sizes.trajectories} trajectories)",
        dispatch,
        budgets=[
            ("<= 5 s", lambda r: r.p95_ms <= 5000),
            (f"constant queries ({reads} reads)", lambda r: r.queries <= 3),
        ],
        note=f"first run created {caught_up} drafts in {catch_up_seconds:.1f} s",
        n=max(3, runs // 5),
    )
    # Right after that catch-up, with no ANALYZE by hand: the dispatcher analysed what it
    # loaded (tenancy.analyze_after_bulk), so the plans stay those of the pages above.
    add(
        "specialist's caseload, right after the catch-up",
        _get(specialist, reverse("trajecten:list")),
        budgets=[
            ("p95 <= 100 ms", lambda r: r.p95_ms <= 100),
            (
                f"<= 1.5x before it ({caseload_page.median_ms} ms)",
                lambda r: r.median_ms <= 1.5 * caseload_page.median_ms,
            ),
        ],
    )
    add(
        "specialist's day, right after the catch-up",
        _get(specialist, reverse("portal:home")),
        budgets=[
            (
                f"<= 2x before it ({day_page.median_ms} ms)",
                lambda r: r.median_ms <= 2 * day_page.median_ms,
            )
        ],
        note="the day now also lists the drafts due within two weeks",
    )

    for kind, label in PDF_KINDS:
        static_html, context = _pdf_case(seeded, today, kind=kind)
        add(
            f"PDF of a {label}",
            lambda context=context: pdf.render_to_pdf("rapportages/pdf/report.html", context),
            floor=lambda static_html=static_html: _static_pdf(static_html),
            floor_name="WeasyPrint on static HTML",
            budgets=[
                ("median <= 0.8 s", lambda r: r.median_ms <= 800),
                ("<= 1.3x static render", lambda r: r.ratio <= 1.3),
            ],
            note=f"{_pages(context)} pages",
            n=max(3, runs // 4),
        )
    job, documents, applications = _uwv_file_case(seeded, today)
    add(
        f"UWV file ({documents} reports, {applications} applications)",
        lambda: bundle.build(job),
        budgets=[("<= 5 s", lambda r: r.median_ms <= 5000)],
        note="one PDF and the ZIP, the signed PDFs embedded",
        n=3,
    )
    if worker:
        results.append(_worker_throughput(seeded, today))
    return results


def _uwv_file_case(seeded: Seeded, today) -> tuple[BundleJob, int, int]:
    """A two-year trajectory (the one with 400 applications): its plan and 8 progress reports
    final, each with a signed PDF (one rendered report stored once), as the UWV file finds
    them. The job is not saved: the measure is building the file."""
    t = seeded.file_trajectory
    t.start_date = today - timedelta(days=730)
    t.intake_date = t.start_date - timedelta(days=3)
    t.save(update_fields=["start_date", "intake_date"])
    data = pdf.render_to_pdf("rapportages/pdf/report.html", _pdf_case(seeded, today)[1])[1]
    name = default_storage.save("reports/bench/signed.pdf", ContentFile(data))
    Report.objects.filter(trajectory=t).delete()
    due = report_services.trajectory_reports_due(t, today=today, lead_days=0)
    signed = timezone.now()
    Report.objects.bulk_create(
        Report(agency=seeded.agency, trajectory=t, kind=d.kind, number=d.number,
               period_start=d.period_start, period_end=d.period_end, due_date=d.due_date,
               status=ReportStatus.FINAL, signed_by=seeded.specialist, signed_at=signed,
               finalized_at=signed, pdf=name, pdf_sha256=pdf.sha256(data),
               snapshot={"identification": {"title": "Voortgangsrapportage"}})
        for d in due
        if d.kind != ReportKind.FINAL
    )  # fmt: skip
    job = BundleJob(trajectory=t, agency=seeded.agency, requested_by=seeded.specialist)
    return job, Report.objects.filter(trajectory=t).count(), t.applicationactivitys.count()


def _search_profile(seeded: Seeded) -> SearchProfile:
    trajectory = seeded.file_trajectory
    profile = SearchProfile.objects.filter(trajectory=trajectory).first()
    if profile is None:
        profile = SearchProfile.objects.create(
            trajectory=trajectory,
            version=1,
            sectors="Logistiek",
            region="Utrecht",
            author=seeded.specialist,
        )
        for title in ("Magazijnmedewerker", "Planner"):
            SearchFunction.objects.create(profile=profile, title=title, reason="Ervaring")
    return profile


PDF_KINDS = (
    (ReportKind.TRAJECTORY_PLAN, "trajectory plan"),
    (ReportKind.PROGRESS, "progress report"),
    (ReportKind.FINAL, "final report"),
)


def _pdf_case(seeded: Seeded, today, *, kind: str = ReportKind.PROGRESS) -> tuple[str, dict]:
    """The HTML and context of one report of ``kind`` as it would be signed today: a typical
    file (not the 400-application one), its narrative filled in, the snapshot built the way
    signing builds it. The reference data holds progress reports only; a plan or final report
    is that report with another kind, not stored."""
    report = (
        Report.objects.filter(agency=seeded.agency, kind=ReportKind.PROGRESS)
        .exclude(trajectory=seeded.file_trajectory)
        .select_related("trajectory__agency")
        .order_by("id")
        .first()
    )
    report.kind = kind
    if kind == ReportKind.TRAJECTORY_PLAN:
        report.period_start = report.trajectory.start_date
        report.period_end = report.trajectory.start_date + timedelta(days=41)
    report.progress = "De werknemer werkt gemotiveerd aan het traject. " * 6
    report.results = "Twee gesprekken, één tweede gesprek."
    report.obstacles = "Reistijd boven 45 minuten is niet haalbaar."
    report.evaluation = "De inspanningen zijn voldoende. " * 4
    report.next_steps = "Sollicitatietraining afronden."
    report.discussed_on = today
    snapshot = report_services.snapshot_for(report, signer=seeded.specialist, day=today)
    context = {"report": report, "s": snapshot, "logo": pdf.logo_data_uri(report.agency)}
    html, _pdf = pdf.render_to_pdf("rapportages/pdf/report.html", context)
    return html, context


def _static_pdf(html: str) -> bytes:
    from weasyprint import HTML

    from rapportages.pdf import _fetcher_class

    base = pdf.Path(pdf.settings.STATICFILES_DIRS[0]).resolve().as_uri() + "/"
    return HTML(string=html, base_url=base, url_fetcher=_fetcher_class()()).write_pdf()


def _pages(context) -> int:
    from io import BytesIO

    from pypdf import PdfReader

    return len(
        PdfReader(BytesIO(pdf.render_to_pdf("rapportages/pdf/report.html", context)[1])).pages
    )


def _worker_throughput(seeded: Seeded, today, count: int = 60) -> Result:
    """Reports per hour through a real Celery worker (solo pool, one process): sign ``count``
    drafts, let the worker render them, and time until every one is final."""
    drafts = list(
        Report.objects.filter(agency=seeded.agency, status=ReportStatus.FINAL)
        .exclude(trajectory=seeded.file_trajectory)
        .order_by("id")[:count]
    )
    snapshot = _pdf_case(seeded, today)[1]["s"]
    Report.objects.filter(pk__in=[r.pk for r in drafts]).update(
        status=ReportStatus.SIGNED, snapshot=snapshot, pdf=""
    )
    # The notices of finished reports go nowhere: the benchmark's addresses are not real.
    env = {**os.environ, "EMAIL_URL": "dummymail://"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo",
         "--concurrency", "1", "--loglevel", "WARNING", "-Q", "celery"],
        env=env,
    )  # fmt: skip
    try:
        from rapportages.tasks import render_report

        start = time.perf_counter()
        for report in drafts:
            render_report.delay(report.pk, agency_id=report.agency_id)
        deadline = start + 600
        while time.perf_counter() < deadline:
            done = Report.objects.filter(
                pk__in=[r.pk for r in drafts], status=ReportStatus.FINAL
            ).count()
            if done == len(drafts):
                break
            time.sleep(0.5)
        elapsed = time.perf_counter() - start
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=60)
    per_hour = round(done / elapsed * 3600)
    result = Result(
        f"reports through one worker ({done} of {len(drafts)})",
        round(elapsed / max(done, 1) * 1000, 1),
        round(elapsed / max(done, 1) * 1000, 1),
        None,
        note=f"{per_hour} reports per hour",
    )
    result.budgets.append((">= 2,000 reports per hour", per_hour >= 2000))
    return result


def table(results: list[Result]) -> str:
    header = (
        f"{'measure':48} {'median':>9} {'p95':>9} {'queries':>7} {'floor':>9} {'ratio':>6}  budgets"
    )
    lines = [header, "-" * len(header)]
    for r in results:
        floor = f"{r.floor_ms:.1f}" if r.floor_ms is not None else "–"
        ratio = f"{r.ratio:.2f}" if r.ratio is not None else "–"
        queries = "–" if r.queries is None else str(r.queries)
        budgets = "; ".join(f"{'ok' if ok else 'FAIL'} {text}" for text, ok in r.budgets)
        lines.append(
            f"{r.name[:48]:48} {r.median_ms:>8.1f}ms {r.p95_ms:>8.1f}ms {queries:>7} "
            f"{floor:>9} {ratio:>6}  {budgets}{' (' + r.note + ')' if r.note else ''}".rstrip()
        )
        if r.floor:
            lines.append(f"  floor: {r.floor}")
    return "\n".join(lines)
