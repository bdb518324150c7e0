from celery import shared_task

from portal.tenancy import AgencyTask


@shared_task(base=AgencyTask, acks_late=True)
def repeats_refresh_agency(agency_pk: int, *, agency_id: int) -> int:
    """After the agency changed its repeat rule: judge every trajectory's applications again
    (``repeats.refresh``), one trajectory per transaction. Returns how many were judged."""
    from django.db import transaction

    from portal import live
    from trajecten.models import Trajectory

    from . import repeats

    n = 0
    for trajectory in Trajectory.objects.filter(agency_id=agency_pk).select_related("agency"):
        with transaction.atomic():
            repeats.refresh(trajectory)
        n += 1
    live.bump_agency(agency_pk)  # the norm figures on every open dashboard changed
    return n
