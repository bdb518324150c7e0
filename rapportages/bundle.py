"""What goes into the UWV bundle: the evidence file for the re-integratieverslag.

All final reports (from their frozen snapshots), the application log (without private notes),
the conversation reports shared with the employer (never medical ones) and the placement, in
date order, under a table of contents."""

from django.utils import timezone
from django.utils.translation import override

from sollicitaties.models import ApplicationActivity
from trajecten.constants import Visibility
from trajecten.models import ConversationReport, Placement

from .constants import PUBLISHED
from .content import day_label
from .models import Report
from .pdf import logo_data_uri


def bundle_context(job) -> dict:
    t = job.trajectory
    with override("nl"):
        reports = list(
            Report.objects.filter(trajectory=t, status__in=PUBLISHED).order_by(
                "period_end", "version"
            )
        )
        conversations = ConversationReport.objects.filter(
            trajectory=t, visibility=Visibility.EMPLOYER, contains_medical=False
        ).order_by("date")
        activities = ApplicationActivity.objects.filter(trajectory=t).order_by("date")
        return {
            "trajectory": t,
            "logo": logo_data_uri(t.agency),
            "generated": day_label(timezone.localdate()),
            "reports": reports,
            "conversations": [
                {
                    "date": day_label(c.date),
                    "kind": c.get_kind_display(),
                    "summary": c.summary,
                    "agreements": c.agreements,
                }
                for c in conversations
            ],
            "applications": [
                {
                    "date": day_label(a.date),
                    "kind": a.get_kind_display(),
                    "organisation": a.organisation,
                    "vacancy": a.vacancy_title,
                    "status": a.get_status_display(),
                    "counts": a.counts,
                }
                for a in activities
            ],
            "placement": Placement.objects.filter(trajectory=t).first(),
        }
