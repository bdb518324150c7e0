"""Every write a dashboard shows reaches an open dashboard on its next poll (issue 41, item 1).

The live version is raised by the shared write step (``portal.writes.record`` →
``portal.live.changed``), derived from the written row, so no service can forget it. Each case
writes one kind of row through its service, as the pages do, and the open specialist's day
and employer dashboard that answered "nothing changed" (204) before now answer with the new
part (200). The last test holds the rule in the code: no service audits a write past
``writes.record``.
"""

import ast
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.constants import AuditAction
from rapportages import services as reports
from sollicitaties import services as applications
from tests.house import sources
from trajecten import messaging
from trajecten import services as files
from trajecten.models import Appointment, Assignment, ConversationReport, Task, Training

HTMX = {"HTTP_HX_REQUEST": "true"}
DASHBOARDS = {
    "specialist_a": reverse("dashboards:specialist"),
    "contact_x_all": reverse("dashboards:employer"),
}


def _poll_url(html: str) -> str:
    start = html.index('hx-get="') + len('hx-get="')
    return html[start : html.index('"', start)].replace("&amp;", "&")


def _task(cast):
    return Task.objects.create(
        trajectory=cast.traj_x1,
        title="Bellen",
        due_date=timezone.localdate(),
        performer="specialist",
    )


def _assignment(cast):
    return Assignment.objects.create(
        trajectory=cast.traj_x1, title="Cv", due_date=timezone.localdate() + timedelta(days=2)
    )


def _draft(cast):
    from rapportages.models import Report

    t = cast.traj_x1
    return Report.objects.create(
        trajectory=t, agency_id=t.agency_id, kind="progress", number=1,
        period_start=t.start_date or date(2026, 9, 1), period_end=timezone.localdate(),
        due_date=timezone.localdate() + timedelta(days=5),
    )  # fmt: skip


def _riv_finding(cast):
    """An open finding of traj_x1's RIV check (a factory file lacks the employer's WvP steps)."""
    from rapportages import riv_facts

    checked = riv_facts.result(user=cast.specialist_a, trajectory=cast.traj_x1,
                               on=timezone.localdate())  # fmt: skip
    return checked.open[0]


def _now_at(hour: int):
    return timezone.make_aware(
        timezone.datetime.combine(
            timezone.localdate() + timedelta(days=1), timezone.datetime.min.time()
        )
    ) + timedelta(hours=hour)


#: (what is written, how: a function of the cast and what ``prepare`` made beforehand).
WRITES = {
    "an appointment": (None, lambda c, _: files.record_save(
        actor=c.specialist_a, trajectory=c.traj_x1, model=Appointment, subject="Gesprek",
        starts_at=_now_at(10), ends_at=_now_at(11), location="Kantoor")),
    "a task done": (_task, lambda c, task: files.task_mark_done(
        actor=c.specialist_a, task=task, on=timezone.localdate())),
    "an assignment": (None, lambda c, _: files.record_save(
        actor=c.specialist_a, trajectory=c.traj_x1, model=Assignment, title="Vacatures zoeken",
        due_date=timezone.localdate() + timedelta(days=3))),
    "an assignment completed": (_assignment, lambda c, a: files.assignment_complete(
        actor=c.employee_x1, assignment=a, result="Klaar")),
    "a conversation report": (None, lambda c, _: files.record_save(
        actor=c.specialist_a, trajectory=c.traj_x1, model=ConversationReport,
        date=timezone.localdate(), kind="coaching", duration_minutes=30, visibility="employer",
        summary="Voortgang besproken.")),
    "a training": (None, lambda c, _: files.record_save(
        actor=c.specialist_a, trajectory=c.traj_x1, model=Training, name="Sollicitatietraining",
        start_date=timezone.localdate(), status="planned")),
    "an application": (None, lambda c, _: applications.activity_create(
        actor=c.employee_x1, trajectory=c.traj_x1, kind="written_application",
        date=timezone.localdate(), organisation="Jumbo", vacancy_title="Planner", status="sent")),
    "a message": (None, lambda c, _: messaging.message_post(
        trajectory=c.traj_x1, author=c.specialist_a, body="Hoe gaat het?")),
    "the employee's details": (None, lambda c, _: files.employee_update(
        actor=c.specialist_a, trajectory=c.traj_x1, first_name="Johanna")),
    "an extension of the waiting time": (None, lambda c, _: files.extension_add(
        actor=c.specialist_a, trajectory=c.traj_x1, kind="wage_sanction", weeks=12,
        decided_on=timezone.localdate())),
    "a report's text": (_draft, lambda c, report: reports.report_save(
        actor=c.specialist_a, report=report, progress="Twee gesprekken gevoerd.")),
    "a reason signed off in the RIV check": (_riv_finding, lambda c, f: reports.riv_exception_sign(
        actor=c.specialist_a, trajectory=c.traj_x1, rule=f.rule, subject=f.subject,
        reason="Afgesproken met de werkgever.")),
}  # fmt: skip


@pytest.mark.parametrize("kind", WRITES)
@pytest.mark.parametrize("who", DASHBOARDS)
def test_a_write_reaches_an_open_dashboard_on_its_next_poll(cast, login, on_commit, kind, who):
    prepare, write = WRITES[kind]
    made = prepare(cast) if prepare else None
    client = login(getattr(cast, who))
    poll = _poll_url(client.get(DASHBOARDS[who]).content.decode())
    assert client.get(poll, **HTMX).status_code == 204  # nothing changed yet
    on_commit(write, cast, made)
    assert client.get(poll, **HTMX).status_code == 200, kind


#: Writes audited with ``audit.record`` on purpose: bulk imports whose rows no live
#: dashboard shows, and the retention job, which raises the versions itself.
AUDITED_DIRECTLY = {
    ("trajecten/services/people.py", "employees_import"),
    ("sollicitaties/services.py", "vacancies_import"),
    ("kwaliteit/services.py", "surveys_invite"),
    ("privacy/retention.py", "apply"),
}


def test_no_service_audits_a_write_past_the_shared_write_step():
    """A write is recorded with ``writes.record`` (or ``writes.saved``), which also raises the
    live versions; ``audit.record`` with a write action elsewhere would skip them."""
    writing = {AuditAction.CREATE.name, AuditAction.UPDATE.name, AuditAction.DELETE.name}
    found = []
    for relative, text in sources(skip=("portal/writes.py", "portal/audit.py")):
        for fn in ast.walk(ast.parse(text)):
            if not isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for call in ast.walk(fn):
                if (
                    isinstance(call, ast.Call)
                    and ast.unparse(call.func) == "audit.record"
                    and call.args
                    and ast.unparse(call.args[0]).split(".")[-1] in writing
                    and (relative, fn.name) not in AUDITED_DIRECTLY
                ):
                    found.append(f"{relative}:{call.lineno} ({fn.name})")
    assert found == [], "record writes with writes.record: " + ", ".join(found)
