"""The monthly invoice run: on the first of the month beat proposes, for every agency that
entered its invoice details, the invoices of everything unbilled up to the end of the last
month. An admin checks and issues them (nothing is issued without a person)."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from portal.tenancy import AgencyTask, SystemTask

from . import services
from .models import InvoiceProfile


@shared_task(base=SystemTask, acks_late=True)
def propose_monthly_invoices() -> int:
    agencies = list(InvoiceProfile.objects.values_list("agency_id", flat=True))
    for agency_id in agencies:
        propose_invoices.delay(agency_id=agency_id)
    return len(agencies)


@shared_task(base=AgencyTask, acks_late=True)
def propose_invoices(*, agency_id: int) -> int:
    until = timezone.localdate().replace(day=1) - timedelta(days=1)
    return len(services.invoices_propose(actor=None, agency_id=agency_id, until=until))
