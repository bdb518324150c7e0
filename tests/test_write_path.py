"""The one write path (issue 15), checked on the code itself and on its behaviour.

* No model signal drives a side effect: the services call what follows a change.
* No service takes a form or a serializer: they take plain data and the actor.
* No view, API module, form, task, selector or service compares the acting user's role:
  every rule of rights is in portal/access/.
* No domain row is written by ``form.save()`` or ``serializer.save()``."""

import inspect
import re
from datetime import date

import pytest
from django.apps import apps
from django.db.models import signals
from django.test import Client
from django.urls import reverse

from tests.house import APPS, ROOT
from tests.house import sources as _sources


def test_no_model_signal_drives_a_side_effect():
    listening = [
        f"{model._meta.label} {signal_name}"
        for app in APPS
        for model in apps.get_app_config(app).get_models()
        for signal_name in ("pre_save", "post_save", "pre_delete", "post_delete", "m2m_changed")
        if getattr(signals, signal_name).has_listeners(model)
    ]
    assert listening == []


def test_no_service_takes_a_form_or_a_serializer():
    """Every service module, found as the test below finds them (not a list to keep)."""
    import importlib

    offenders = []
    for relative, _tree in _service_modules():
        module = importlib.import_module(relative[:-3].replace("/", ".").removesuffix(".__init__"))
        for name, function in inspect.getmembers(module, inspect.isfunction):
            params = set(inspect.signature(function).parameters)
            if params & {"form", "formset", "serializer"}:
                offenders.append(f"{module.__name__}.{name}")
    assert offenders == []


#: The acting user's role, compared anywhere but in the scoping layer.
ROLE_CHECK = re.compile(
    r"\b(?:user|actor|author|request\.user|self\.request\.user)\.(?:role\b|is_(?:employee|"
    r"agency_admin|specialist|employer_contact|agency_staff)\b)"
)


def test_every_rule_of_rights_is_in_the_scoping_layer():
    found = [
        f"{path}:{n}: {line.strip()}"
        for path, text in _sources(skip=("portal/access/", "portal/models/"))
        for n, line in enumerate(text.splitlines(), start=1)
        if ROLE_CHECK.search(line)
    ]
    assert found == []


WRITE_BY_FORM = re.compile(r"\b\w*(?:form|formset|serializer|items|products|categories)\.save\(")


def test_no_domain_row_is_written_by_a_form_or_a_serializer():
    found = [
        f"{path}:{n}: {line.strip()}"
        for path, text in _sources()
        for n, line in enumerate(text.splitlines(), start=1)
        if WRITE_BY_FORM.search(line)
    ]
    assert found == []


# --- Behaviour ----------------------------------------------------------------------------------


def test_new_drafts_made_in_bulk_reach_an_open_dashboard(cast, login, on_commit):
    """The daily scheduler inserts drafts in bulk (no model signal would fire): it raises the
    dashboards' version itself."""
    from portal import live
    from rapportages.services import reports_schedule

    traj = cast.traj_x1
    traj.start_date = date(2026, 1, 5)
    traj.save()
    keys = [live.employer_key(cast.employer_x.pk), live.agency_key(cast.agency_a.pk)]
    before = live.versions(keys)
    created = on_commit(reports_schedule, today=date(2026, 11, 29), trajectory_ids=[traj.pk])
    assert created > 0
    after = live.versions(keys)
    assert all(after[k] != before[k] for k in keys)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:x"])
def test_a_next_field_never_leads_off_the_site(cast, target):
    from trajecten.models import Assignment

    assignment = Assignment.objects.create(
        trajectory=cast.traj_x1, title="Cv", due_date="2026-12-01"
    )
    client = Client()
    client.force_login(cast.employee_x1)
    response = client.post(
        reverse("trajecten:assignment_done", args=[assignment.uuid]),
        {"result": "Klaar", "next": target},
    )
    assert response.status_code == 302
    assert response.url == reverse("dashboards:home")
    response = client.post(
        reverse("trajecten:assignment_done", args=[assignment.uuid]),
        {"result": "Klaar", "next": "/sollicitaties/"},
    )
    assert response.url == "/sollicitaties/"


# --- Every service checks its own right and owns its transaction (issue 41, item 2) ---------

#: What makes a function a write: it saves, records or changes rows.
WRITES = re.compile(
    r"writes\.(?:saved|record|apply)\(|\.save\(|\.create\(|bulk_create\(|\.update\(|\.delete\("
)

#: Writes without an actor: run by tasks and commands for the system, each one statement or
#: one row at a time after a mail went out (a transaction around it would hold locks while
#: SMTP or WeasyPrint works).
SYSTEM = {
    "kwaliteit.services.survey_reminders_send", "kwaliteit.services.survey_sent",
    "kwaliteit.services.survey_answer", "kwaliteit.services.survey_decline",
    "portal.services.invitation_accept", "portal.team.sessions_end",
    "rapportages.services.schedule.reports_schedule",
    "rapportages.services.rendering.report_render",
    "rapportages.services.rendering.report_render_failed",
    "rapportages.services.notices.reminder_send",
    "rapportages.services.notices.report_final_notice",
    "rapportages.services.notices.report_offered_notice",
    "rapportages.services.bundle.bundle_build", "privacy.access_export.export_build",
    # Notices and SMS: the in-app notice and its email for a person a service or task chose
    # (their right to the subject was that caller's check), a digest, an SMS and its status.
    "portal.digests.deliver", "portal.digests.digest_send",
    "portal.sms.send_one", "portal.sms.status_report",
    "privacy.access_export.exports_expire", "privacy.retention.apply",
    "trajecten.services.trajectories.renewals_record", "trajecten.messaging.notice_due",
    "portal.services.agency_create", "portal.services.phases_reset",
    "portal.services.agency_defaults_apply", "portal.services.employee_invite",
    # A transfer archive's check and import: one transaction per trajectory, each through
    # ``trajectory_import``, which checks the right of the admin who started the job.
    "overdracht.services.transfer_check_run", "overdracht.services.transfer_import_run",
    # Beat's hourly RIV check for webhooks: each endpoint reads as its owner (the scoping
    # layer decides what it hears of) and only deliveries and its own state are written.
    "rapportages.services.riv.riv_findings_tell",
}  # fmt: skip

#: Services on the actor's own things only, where being logged in is the right.
SELF_SERVICE = {
    "portal.services.user_set_language", "trajecten.services.records.calendar_feed_for",
    "trajecten.services.records.calendar_feed_renew", "trajecten.messaging.thread_read",
}  # fmt: skip


def _service_modules():
    """Every module that holds services: ``services.py`` and ``services/`` of each app, and any
    other module with a public function that takes the actor and calls ``writes``."""
    import ast

    for relative, text in _sources():
        tree = ast.parse(text)
        functions = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        named = relative.endswith("/services.py") or "/services/" in relative
        takes_actor = any(
            not f.name.startswith("_")
            and {"actor", "author"} & {a.arg for a in f.args.kwonlyargs}
            and "writes." in ast.unparse(f)
            for f in functions
        )
        if named or takes_actor:
            yield relative, tree


def _with_helpers(fn, helpers, depth=0) -> str:
    """The function's code with that of the module's private helpers it calls."""
    import ast

    text = ast.unparse(fn)
    if depth < 3:
        for name, helper in helpers.items():
            if name.startswith("_") and f"{name}(" in text:
                text += _with_helpers(helper, helpers, depth + 1)
    return text


def test_every_service_checks_its_own_right_and_owns_its_transaction():
    import ast

    modules = dict(_service_modules())
    assert {"portal/services.py", "portal/team.py", "portal/api_tokens.py",
            "privacy/access_export.py", "trajecten/messaging.py",
            "rapportages/services/writing.py"} <= set(modules)  # fmt: skip
    unchecked, unatomic, seen = [], [], 0
    for relative, tree in modules.items():
        module = relative[:-3].replace("/", ".").removesuffix(".__init__")
        helpers = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        for fn in helpers.values():
            name, code = f"{module}.{fn.name}", _with_helpers(fn, helpers)
            if fn.name.startswith("_") or not WRITES.search(code) or name in SYSTEM:
                continue
            seen += 1
            atomic = any(ast.unparse(d) == "transaction.atomic" for d in fn.decorator_list)
            if not (atomic or "transaction.atomic(" in ast.unparse(fn)):
                unatomic.append(name)
            if name not in SELF_SERVICE and "writes.allowed(" not in code:
                unchecked.append(name)
    assert seen > 50
    assert unchecked == [], f"check the actor's right with writes.allowed(access...): {unchecked}"
    assert unatomic == [], f"own the transaction: @transaction.atomic: {unatomic}"


@pytest.mark.parametrize(
    "call",
    [
        "invitation_resend", "invitation_revoke", "token_revoke", "export_request",
    ],
)  # fmt: skip
def test_a_service_called_by_someone_without_the_right_refuses(cast, call):
    """The four services that trusted their caller (issue 41, item 2) refuse on their own."""
    from django.core.exceptions import PermissionDenied

    from portal import api_tokens, services
    from portal.models import ApiToken
    from privacy import access_export
    from tests.factories import InvitationFactory

    invitation = InvitationFactory(agency=cast.agency_a)
    token = ApiToken.objects.create(
        agency=cast.agency_a, user=cast.specialist_a, name="x", prefix="abc", digest="0" * 64
    )
    calls = {
        "invitation_resend": lambda actor: services.invitation_resend(
            actor=actor, invitation=invitation
        ),
        "invitation_revoke": lambda actor: services.invitation_revoke(
            actor=actor, invitation=invitation
        ),
        "token_revoke": lambda actor: api_tokens.token_revoke(token=token, actor=actor),
        "export_request": lambda actor: access_export.export_request(
            employee=cast.traj_x1.employee, actor=actor
        ),
    }
    for outsider in (cast.admin_b, cast.specialist_a if call != "token_revoke" else cast.admin_a,
                     cast.contact_x_all, cast.employee_x2):  # fmt: skip
        with pytest.raises(PermissionDenied):
            calls[call](outsider)


#: A template that compares the user's role decides a right where no test of access.py sees it.
TEMPLATE_ROLE_CHECK = re.compile(
    r"\buser\.(?:role\b|is_(?:employee|agency_admin|specialist|employer_contact|agency_staff)\b)"
)


def test_no_template_decides_a_right_by_role():
    """Templates get flags: ``can_*`` from the view for an action (``portal.access`` decides),
    ``audience`` (``access.audience``) for whom the words are meant (issue 41, item 4)."""
    found = [
        f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}"
        for path in (ROOT / "templates").rglob("*.html")
        for n, line in enumerate(path.read_text().splitlines(), start=1)
        if TEMPLATE_ROLE_CHECK.search(line)
    ]
    assert found == []


def test_weasyprint_is_imported_only_where_a_pdf_is_made():
    """WeasyPrint (and its Pango) loads when a PDF is rendered, never when a module is
    imported: a web worker that renders no PDF does not pay for it (issue 41, item 4)."""
    import ast

    found = []
    for relative, text in _sources():
        for node in ast.parse(text).body:  # module level only; a function may import it
            names = (
                [a.name for a in node.names] if isinstance(node, ast.Import)
                else [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            )  # fmt: skip
            if any(n.split(".")[0] == "weasyprint" for n in names):
                found.append(relative)
    assert found == []


def test_a_button_whose_service_refuses_says_why_instead_of_a_500(cast):
    """``portal.shortcuts.act``: the one shape of a button's POST (issue 41, item 5). Marking
    an assignment done called its service bare: a refusal would have been a 500."""
    from unittest import mock

    from django.core.exceptions import ValidationError

    from trajecten.models import Assignment

    assignment = Assignment.objects.create(
        trajectory=cast.traj_x1, title="Cv", due_date="2026-12-01"
    )
    client = Client()
    client.force_login(cast.employee_x1)
    refused = ValidationError("NIET-NU: de opdracht is gesloten.")
    with mock.patch("trajecten.services.assignment_complete", side_effect=refused):
        response = client.post(
            reverse("trajecten:assignment_done", args=[assignment.uuid]),
            {"result": "Klaar"},
            follow=True,
        )
    assert response.status_code == 200
    assert "NIET-NU: de opdracht is gesloten." in response.content.decode()
    assert "Goed gedaan" not in response.content.decode()
