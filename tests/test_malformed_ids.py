"""Malformed values in every path parameter of every URL pattern, pages and API, as each kind
of user: never a 5xx. A malformed id is a 404 like any id the user may not see.

A URL with two parameters (an application and its evidence) only reaches the second lookup
when the first names something real, so each parameter is made malformed in turn while the
others take real values of a seeded file (which every role below may see)."""

import itertools

import pytest
from django.core.files.base import ContentFile
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from sollicitaties.models import ApplicationActivity, Evidence
from tests import files
from tests.conftest import enrol_totp
from tests.factories import UserFactory
from trajecten.models import Task

#: Values a parameter may receive from a hostile or broken client. The first is shaped like a
#: UUID for the API's ``[0-9a-f-]{36}`` routes but is not one (the 500 of the penetration test).
MALFORMED = [
    "0" * 36,
    "00000000-0000-0000-0000-000000000000",  # well-formed, exists nowhere
    "x",
    "0x1' OR '1'='1",
    "a" * 300,
    "99999999",
]

ROLES = [None, "admin_a", "specialist_a", "contact_x1", "employee_x1"]

#: Django's admin is the platform operators' (everyone else is sent to the login page before
#: an id is read): its patterns are tried as a platform operator.
PLATFORM_ADMIN = "/platform-admin/"


def _patterns(
    resolver: URLResolver | None = None, namespace: str = "", prefix_params=(), with_plain=False
):
    """(reversible name, parameter names) of every named pattern that takes parameters (and
    with ``with_plain`` those that take none too)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        params = (*prefix_params, *entry.pattern.regex.groupindex)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _patterns(entry, inner, params, with_plain)
        elif isinstance(entry, URLPattern) and entry.name and (params or with_plain):
            yield f"{namespace}{entry.name}", tuple(dict.fromkeys(params))


def _reverse(name, kwargs):
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None  # the converter refuses a value: that URL cannot reach the view


#: Real values for parameters that are not ids: a few record kinds, the API's format suffix.
REAL_BY_NAME = {"kind": ["gesprek", "document", "certificaat"], "format": ["json"]}


def malformed_urls(real_ids: list[str]) -> list[str]:
    """Every pattern with each parameter malformed in turn, the others real."""
    urls = set()
    for name, params in _patterns():
        for bad_param, bad in itertools.product(params, MALFORMED):
            others = [p for p in params if p != bad_param]
            pools = [REAL_BY_NAME.get(p, real_ids) for p in others]
            for combination in itertools.product(*pools):
                kwargs = {bad_param: bad, **dict(zip(others, combination, strict=True))}
                if url := _reverse(name, kwargs):
                    urls.add(url)
    return sorted(urls)


@pytest.fixture
def real_ids(cast):
    """Parents that every role of ROLES may see: traj_x1, an application with evidence on it,
    a task, employer X."""
    activity = ApplicationActivity.objects.create(
        trajectory=cast.traj_x1, kind="written_application", organisation="PostNL",
        vacancy_title="Planner", recorded_by=cast.employee_x1, recorded_by_role="employee",
    )  # fmt: skip
    evidence = Evidence(
        activity=activity, trajectory=cast.traj_x1, uploaded_by=cast.employee_x1,
        content_type="image/png",
    )  # fmt: skip
    evidence.file.save("bewijs.png", ContentFile(files.png()), save=True)
    task = Task.objects.create(trajectory=cast.traj_x1, title="Cv", due_date="2026-01-05")
    return [
        str(cast.traj_x1.uuid),
        str(activity.uuid),
        str(evidence.uuid),
        str(task.uuid),
        str(cast.employer_x.uuid),
    ]


def test_the_walk_reaches_the_apps_own_patterns(real_ids):
    """A change in URL layout must not silently make the next test check nothing."""
    names = {name for name, _ in _patterns()}
    assert {"trajecten:file", "rapportages:download", "application-evidence-file"} <= names
    assert {"trajecten:record_edit", "trajecten:download"} <= names
    urls = malformed_urls(real_ids)
    assert f"/api/v1/application-activities/{real_ids[1]}/evidence/{'0' * 36}/" in urls
    assert len(urls) > 400


def _server_errors(client, urls, methods) -> list[str]:
    client.raise_request_exception = False
    failures = []
    for url in urls:
        for method in methods:
            response = getattr(client, method)(url)
            if response.status_code >= 500:
                failures.append(f"{method.upper()} {url[:120]} -> {response.status_code}")
    return failures


@pytest.mark.parametrize("who", ROLES)
def test_malformed_path_parameters_never_answer_5xx(cast, client, real_ids, who):
    urls = [u for u in malformed_urls(real_ids) if not u.startswith(PLATFORM_ADMIN)]
    if who:
        client.force_login(getattr(cast, who))
    failures = _server_errors(client, urls, ["get", "post"] if who else ["get"])
    assert not failures, "\n".join(failures)


def test_malformed_ids_in_the_platform_admin_never_answer_5xx(db, client, real_ids):
    operator = UserFactory(platform=True)
    enrol_totp(operator)
    client.force_login(operator)
    urls = [u for u in malformed_urls(real_ids) if u.startswith(PLATFORM_ADMIN)]
    assert urls
    failures = _server_errors(client, urls, ["get"])
    assert not failures, "\n".join(failures)
