import pytest

from sollicitaties.models import ApplicationActivity, StatusChange


@pytest.fixture
def activity(cast):
    """An application of employee_x1 with a private note."""
    a = ApplicationActivity.objects.create(
        trajectory=cast.traj_x1,
        kind="written_application",
        organisation="PostNL",
        vacancy_title="Planner",
        notes="PRIVATE-NOTE",
        recorded_by=cast.employee_x1,
        recorded_by_role="employee",
    )
    StatusChange.objects.create(activity=a, status="sent", changed_by=cast.employee_x1)
    return a
