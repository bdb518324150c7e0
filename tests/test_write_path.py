"""The one write path (issue 15), checked on the code itself and on its behaviour.

* No model signal drives a side effect: the services call what follows a change.
* No service takes a form or a serializer: they take plain data and the actor.
* No view, API module, form, task, selector or service compares the acting user's role:
  every rule of rights is in portal/access.py.
* No domain row is written by ``form.save()`` or ``serializer.save()``."""

import inspect
import re
from datetime import date
from pathlib import Path

import pytest
from django.apps import apps
from django.db.models import signals
from django.test import Client
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[1]
APPS = ("portal", "trajecten", "sollicitaties", "rapportages", "kwaliteit")


def _sources(*, skip=()):
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            relative = path.relative_to(ROOT).as_posix()
            if "/migrations/" in relative or "/management/" in relative or "/bench/" in relative:
                continue
            if any(relative.startswith(s) for s in skip):
                continue
            yield relative, path.read_text()


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
    import kwaliteit.services
    import portal.services
    import rapportages.services
    import sollicitaties.services
    import trajecten.messaging
    import trajecten.services

    offenders = []
    for module in (portal.services, rapportages.services, sollicitaties.services,
                   trajecten.messaging, trajecten.services, kwaliteit.services):  # fmt: skip
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
        for path, text in _sources(skip=("portal/access.py", "portal/models/"))
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
    assert response.url == reverse("portal:home")
    response = client.post(
        reverse("trajecten:assignment_done", args=[assignment.uuid]),
        {"result": "Klaar", "next": "/sollicitaties/"},
    )
    assert response.url == "/sollicitaties/"
