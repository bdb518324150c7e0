"""Every free-text field has a limit that fits what it holds (issue 40, item 4: a
200,000-character conversation summary was accepted and made its tab 44,746 px tall), said at
the field on the page and refused on every write path with the message at the field; the
browser is not told to cut a paste short."""

import re

import pytest
from django.apps import apps
from django.core.validators import MaxLengthValidator
from django.db import models
from django.urls import reverse

PROJECT_APPS = {"portal", "trajecten", "sollicitaties", "rapportages", "kwaliteit"}


def test_every_text_field_of_the_project_has_a_limit():
    unbounded = [
        f"{model.__name__}.{field.name}"
        for model in apps.get_models()
        if model._meta.app_label in PROJECT_APPS
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField)
        and not any(isinstance(v, MaxLengthValidator) for v in field.validators)
    ]
    assert not unbounded, unbounded


@pytest.fixture
def long_summary():
    return "Lang verslag. " * 1000  # 14,000 characters: over the summary's 10,000


def test_a_too_long_summary_is_refused_at_the_field_and_kept_on_the_page(cast, login, long_summary):
    from trajecten.models import ConversationReport

    client = login(cast.specialist_a)
    url = reverse("trajecten:record_new", args=[cast.traj_x1.uuid, "gesprek"])
    form = client.get(url).content.decode()
    assert "Hoogstens 10.000 tekens." in form
    assert 'maxlength="10000"' not in form  # the browser would cut a paste short
    page = client.post(url, {"summary": long_summary, "date": "2026-11-20", "kind": "coaching",
                             "duration_minutes": "60", "visibility": "agency"})  # fmt: skip
    html = page.content.decode()
    assert page.status_code == 200 and not ConversationReport.objects.exists()
    errors = re.findall(r'<p class="error" role="alert">([^<]*)</p>', html)
    assert errors == [
        "Zorg dat deze waarde niet meer dan 10000 tekens bevat (het zijn er nu 13999)."
    ]
    assert long_summary.strip()[:200] in html  # what was typed is still there


def test_the_api_refuses_it_too(cast, api):
    body = {"trajectory": str(cast.traj_x1.uuid), "date": "2026-11-20",
            "kind": "written_application", "organisation": "Jumbo",
            "notes": "x" * 5001}  # fmt: skip
    answer = api(cast.employee_x1).post("/api/v1/application-activities/", body, format="json")
    assert answer.status_code == 400 and "notes" in answer.json()["fields"]
