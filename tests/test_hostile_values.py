"""Hostile values in query parameters, form fields, headers and files (issue 38, item 9): a NUL
byte, a huge value, dates at the ends of the calendar, NaN. Never a 5xx, on SQLite and on
PostgreSQL (which refuses a NUL in any string), as every role; the cases the penetration test
found first, then every page and API list without path parameters with every query parameter
the application reads set to each value."""

import base64
import contextlib
import re
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse
from rest_framework.test import APIClient

from portal.api_tokens import token_create
from sollicitaties.models import Vacancy
from tests.house import APPS
from tests.test_malformed_ids import _patterns

NUL = "a\x00b"
HOSTILE = [NUL, "x" * 200_000, "9999-12-31", "0001-01-01", "NaN", "-1", "1e309", "inf"]
YEAR_9999_Q4 = {"start": "9999-10-01", "end": "9999-12-31"}


def _no_5xx(response, what):
    assert response.status_code < 500, f"{what} -> {response.status_code}"
    return response


@pytest.mark.parametrize(
    "url",
    [
        "kwaliteit:results",
        "kwaliteit:results_pdf",
        "dashboards:agency_overview",
        "dashboards:billing",
    ],
)
def test_the_last_quarter_of_year_9999_is_an_answer_not_a_500(cast, login, url):
    client = login(cast.admin_a)
    _no_5xx(client.get(reverse(url), YEAR_9999_Q4), url)
    _no_5xx(client.get(reverse(url), {**YEAR_9999_Q4, "format": "csv"}), url)


def test_the_api_results_and_lists_take_the_ends_of_the_calendar(cast, api):
    client = api(cast.admin_a)
    _no_5xx(client.get("/api/v1/outcomes/", YEAR_9999_Q4), "outcomes 9999")
    for value in ("0001-01-01", "0001-01-01T00:00:00", "9999-12-31T23:59:59+14:00"):
        response = client.get("/api/v1/trajectories/", {"updated_since": value})
        assert response.status_code == 400, value
        assert response.json()["code"] == "invalid"


def _upload(client, text: bytes):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("sollicitaties:vacancy_import"),
        {"file": SimpleUploadedFile("v.csv", text, content_type="text/csv")},
    )


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b"Kok;Hotel;Emmen;NaN", "geen aantal uren"),
        (b"Kok;Hotel;Emmen;Infinity", "geen aantal uren"),
        (b"Kok;Hotel\x00;Emmen;32", "niet gelezen kan worden"),
        (b"Kok;" + b"H" * 140_000 + b";Emmen;32", "te lang of beschadigd"),
    ],
)
def test_a_vacancy_file_with_nan_nul_or_a_huge_field_is_explained_at_upload_and_confirm(
    cast, login, line, reason
):
    client = login(cast.specialist_a)
    raw = b"titel;organisatie;plaats;uren\nPlanner;DHL;Utrecht;32\n" + line + b"\n"
    dry = _no_5xx(_upload(client, raw), "upload")
    assert reason in dry.content.decode()
    payload = base64.b64encode(raw).decode()
    _no_5xx(client.post(reverse("sollicitaties:vacancy_import"), {"payload": payload}), "confirm")
    assert not Vacancy.objects.exists()  # nothing of a file with a rejected row


def test_a_nul_in_the_calendar_link_a_token_or_the_search_is_a_400(cast, login, client):
    feed = _no_5xx(client.get("/trajecten/agenda/abc%00def.ics"), "calendar")
    assert feed.status_code in (400, 404)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Bearer sb_\x00abc")
    response = _no_5xx(api.get("/api/v1/trajectories/"), "bearer")
    assert response.status_code == 400 and response.json()["code"] == "bad_request"
    staff = login(cast.specialist_a)
    page = _no_5xx(staff.get(reverse("trajecten:search"), {"q": NUL}), "search")
    assert page.status_code == 400 and "niet konden lezen" in page.content.decode()
    posted = staff.post(
        reverse("trajecten:messages", args=[cast.traj_x1.uuid]), {"body": f"Hallo {NUL}"}
    )
    assert posted.status_code == 400
    assert not cast.traj_x1.messages.exists()


def _query_parameters() -> list[str]:
    """Every query parameter the application reads: ``GET.get("...")`` in its code, and the
    API's filters."""
    names = {"page", "ordering", "updated_since", "trajectory", "status", "kind", "format"}
    names |= {"start", "end"}  # read by PeriodForm.from_request(request.GET)
    for path in Path(__file__).resolve().parent.parent.glob("*/**/*.py"):
        if ".venv" in path.parts or "tests" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        names.update(
            re.findall(r"""(?:GET|query_params|params)\.get(?:list)?\(\s*["'](\w+)["']""", text)
        )
    return sorted(names)


def _form_fields() -> list[str]:
    """The field names of every form of the application (its forms are loaded with the URLs)."""
    from django import forms

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    names = set()
    for form in subclasses(forms.BaseForm):
        if form.__module__.split(".")[0] in APPS:
            names.update(getattr(form, "base_fields", {}))
    return sorted(names | {"body"})  # the thread's message, read from the request itself


def _pages_without_parameters() -> list[str]:
    urls = []
    for name, params in _patterns(with_plain=True):
        if params or name.startswith(("admin:", "account_", "mfa_", "openapi", "swagger")):
            continue
        with contextlib.suppress(NoReverseMatch):  # a pattern that needs a format suffix
            urls.append(reverse(name))
    return sorted(set(urls))


def test_the_walk_finds_the_parameters_and_pages():
    assert {"body", "summary", "closing_note", "email"} <= set(_form_fields())
    params = _query_parameters()
    assert {"start", "end", "q", "page", "updated_since"} <= set(params), params
    pages = _pages_without_parameters()
    assert "/resultaten/" in pages and any(p.startswith("/api/v1/") for p in pages), pages


@pytest.mark.parametrize("who", ["admin_a", "specialist_a", "contact_x1", "employee_x1"])
def test_hostile_query_values_never_answer_5xx(cast, client, who):
    user = getattr(cast, who)
    client.force_login(user)
    _token, raw = token_create(user=user, name="fuzz", read_only=True, valid_days=1)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    client.raise_request_exception = False
    api.raise_request_exception = False
    params, fields = _query_parameters(), _form_fields()
    failures = []
    for url in _pages_without_parameters():
        caller = api if url.startswith("/api/") else client
        for value in HOSTILE:
            for method, data in (("get", dict.fromkeys(params, value)),
                                 ("post", dict.fromkeys(fields, value[:20_000]))):  # fmt: skip
                response = getattr(caller, method)(url, data)
                if response.status_code >= 500:
                    failures.append(f"{method} {url} ({value[:12]!r}) -> {response.status_code}")
    assert not failures, "\n".join(failures)
