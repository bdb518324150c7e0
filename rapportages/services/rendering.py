"""The PDF of a signed report, rendered once after the commit."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from portal import live, webhooks
from portal.constants import WebhookEvent

from .. import pdf
from ..constants import (
    ReportStatus,
)
from ..models import Report


def _queue_render(report: Report) -> None:
    live.bump_trajectory(report.trajectory)
    from ..tasks import render_report

    transaction.on_commit(
        lambda: render_report.delay(report.pk, agency_id=report.agency_id), robust=True
    )


def report_render(*, report_id: int) -> Report | None:
    """Render the PDF of a signed report, once. Called by the task; returns None when there is
    nothing (left) to do."""
    report = (
        Report.objects.select_related("trajectory__agency", "trajectory__employee")
        .filter(pk=report_id, status=ReportStatus.SIGNED)
        .first()
    )
    if report is None:
        return None
    _html, data = pdf.render_to_pdf(
        "rapportages/pdf/report.html",
        {"report": report, "s": report.snapshot, "logo": pdf.logo_data_uri(report.agency)},
    )
    with transaction.atomic():
        claimed = (
            Report.objects.select_for_update()
            .filter(pk=report.pk, status=ReportStatus.SIGNED)
            .first()
        )
        if claimed is None:  # another worker finished it meanwhile
            return None
        claimed.pdf.save(f"{claimed.uuid}.pdf", ContentFile(data), save=False)
        claimed.pdf_sha256 = pdf.sha256(data)
        claimed.pdf_error = ""
        claimed.status = ReportStatus.FINAL
        claimed.finalized_at = timezone.now()
        claimed.save()
        if claimed.supersedes_id:
            Report.objects.filter(pk=claimed.supersedes_id).update(status=ReportStatus.SUPERSEDED)
        live.bump_trajectory(claimed.trajectory)  # final (and the old one superseded)
        tell_final(claimed)
        from ..tasks import notify_report_final

        transaction.on_commit(
            lambda: notify_report_final.delay(claimed.pk, agency_id=claimed.agency_id), robust=True
        )
    return claimed


def tell_final(report: Report) -> None:
    """``report.final`` to the endpoints whose owner may read the report: where its PDF is
    (``GET /api/v1/reports/{id}/pdf/``, which an orders token of the trajectory's employer
    reaches too) and its SHA-256, so the receiver can check what it fetched."""
    webhooks.tell(
        WebhookEvent.REPORT_FINAL,
        report.trajectory,
        subject=report,
        report={
            "id": str(report.uuid),
            "kind": report.kind,
            "number": report.number,
            "version": report.version,
            "period_start": report.period_start,
            "period_end": report.period_end,
            "finalized_at": report.finalized_at,
            "supersedes": str(report.supersedes.uuid) if report.supersedes_id else None,
            "pdf_url": webhooks.absolute(reverse("report-pdf", kwargs={"uuid": report.uuid})),
            "pdf_sha256": report.pdf_sha256,
        },
    )


RENDER_GRACE = timedelta(minutes=10)


def reports_pending_render(*, now, grace: timedelta = RENDER_GRACE) -> list[tuple[int, int]]:
    """(id, agency id) of the signed reports whose PDF should have been rendered by now and did
    not fail (a failing render retries by itself, showing its error). Rendering claims the
    report with a lock and a status check, so queueing one twice renders it once."""
    return list(
        Report.objects.filter(status=ReportStatus.SIGNED, signed_at__lt=now - grace, pdf_error="")
        .order_by("id")
        .values_list("id", "agency_id")
    )


def report_render_failed(*, report_id: int, error: str) -> None:
    Report.objects.filter(pk=report_id, status=ReportStatus.SIGNED).update(pdf_error=error[:500])
