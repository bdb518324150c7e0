"""Helpers for the survey and outcome tests: closing through the service, answering by hand."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from kwaliteit.models import SurveyInvitation
from tests.factories import EmployeeFactory, TrajectoryFactory
from trajecten.constants import TrajectoryStatus


@pytest.fixture
def close(on_commit):
    """Close a trajectory through the service, as the file page does (its emails sent)."""
    from trajecten.services import trajectory_close

    def _close(trajectory, actor, *, reason="new_job", end_date=None, note=""):
        return on_commit(
            trajectory_close,
            actor=actor,
            trajectory=trajectory,
            closing_reason=reason,
            end_date=end_date or timezone.localdate(),
            closing_note=note,
        )

    return _close


@pytest.fixture
def closed_trajectory():
    """A trajectory ended on ``end`` with ``reason`` (no survey sent: the figures' fixtures)."""

    def _make(bv, specialist, *, start: date, end: date, reason="new_job", employee=None):
        return TrajectoryFactory(
            legal_entity=bv,
            specialist=specialist,
            employee=employee or EmployeeFactory(agency=bv.agency),
            status=TrajectoryStatus.ENDED,
            start_date=start,
            referral_date=start,
            end_date=end,
            closing_reason=reason,
        )

    return _make


@pytest.fixture
def answered():
    """An invitation of ``party`` for ``trajectory``, answered with ``marks`` (or only asked)."""
    counter = iter(range(10_000))

    def _make(trajectory, party="employee", marks=None, comment="", declined=False):
        now = timezone.now()
        return SurveyInvitation.objects.create(
            trajectory=trajectory,
            party=party,
            email=f"asked{next(counter)}@example.nl",
            language="nl",
            expires_at=now + timedelta(days=30),
            sent_at=now,
            answered_at=now if marks else None,
            declined_at=now if declined else None,
            guidance=marks[0] if marks else None,
            communication=marks[1] if marks else None,
            result=marks[2] if marks else None,
            comment=comment,
        )

    return _make
