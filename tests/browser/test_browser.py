"""End to end in a real browser: Playwright for Python driving Debian's Chromium.

``make test`` installs Chromium (apt) and axe-core (npm, tests/browser/package.json). Without
them these tests are skipped with the reason, never silently passed. Screenshots of each main
page are written to var/screenshots/.
"""

import contextlib
import os
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect, sync_playwright

from tests.conftest import enrol_totp
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    EmployeeFactory,
    EmployerContactFactory,
    EmployerFactory,
    LegalEntityFactory,
    TrajectoryFactory,
    UserFactory,
)
from trajecten.models import ConversationReport

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason=f"{CHROMIUM} is not installed"),
]


@pytest.fixture(scope="module")
def browser():
    # Playwright's sync API runs an event loop in this thread; the test's ORM calls are safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def world(transactional_db):
    agency = AgencyFactory(name="Spoorwerk")
    specialist = UserFactory(
        agency=agency, specialist=True, first_name="Sanne", last_name="Bakker", language="nl"
    )
    admin = UserFactory(agency=agency, admin=True, first_name="Ingrid", last_name="Visser")
    employer = EmployerFactory(agency=agency, name="Van Dijk Groep")
    bvs = [LegalEntityFactory(employer=employer, name=f"Van Dijk {n} BV") for n in ("A", "B")]
    contact = EmployerContactFactory(employer=employer).user
    contact.first_name, contact.last_name = "Petra", "van Dijk"
    contact.save()
    employee = EmployeeFactory(
        agency=agency, with_login=True, first_name="Piotr", last_name="Kowalski"
    )
    employee.user.language = "pl"
    employee.user.save()
    trajectory = TrajectoryFactory(
        legal_entity=bvs[0],
        employee=employee,
        specialist=specialist,
        start_date=timezone.localdate() - timedelta(days=20),
    )
    for n in range(3):
        TrajectoryFactory(
            legal_entity=bvs[n % 2],
            specialist=specialist,
            employee=EmployeeFactory(agency=agency, first_name=f"Collega{n}"),
        )
    return {
        "contact": contact,
        "contact_secret": enrol_totp(contact),
        "specialist": specialist,
        "specialist_secret": enrol_totp(specialist),
        "admin": admin,
        "admin_secret": enrol_totp(admin),
        "employee": employee.user,
        "trajectory": trajectory,
    }


def code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def log_in(page, base: str, user, secret: str | None = None) -> None:
    page.goto(base + reverse("account_login"))
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    if secret:
        page.wait_for_selector("input[name=code]")
        page.fill("input[name=code]", code(secret))
        page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/$|.*/\?.*"))


KEPT_PAGES = (
    "caches.open('spoorboek-pages').then(c => c.keys())"
    ".then(k => k.filter(r => !r.url.includes('/__spoorboek__/')).length)"
)


def wait_for_kept_pages(page) -> None:
    """Home, applications and the form, kept by the service worker in the background."""
    for _ in range(75):
        if page.evaluate(KEPT_PAGES) >= 3:
            return
        time.sleep(0.2)
    pytest.fail("the pages an employee needs offline were not kept")


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_an_application_on_a_phone_appears_on_the_employer_dashboard_within_5_seconds(
    browser, live_server, world
):
    employer = browser.new_context(viewport={"width": 1280, "height": 900})
    dashboard = employer.new_page()
    log_in(dashboard, live_server.url, world["contact"], world["contact_secret"])
    # A filter and a scroll position that the live update must keep.
    dashboard.select_option("#id_status", "active")
    dashboard.click("form.filters button[type=submit]")
    dashboard.wait_for_url(re.compile(r".*status=active.*"))
    dashboard.evaluate("window.scrollTo(0, 150)")
    row = dashboard.locator(f"#t-{world['trajectory'].uuid} .count")
    assert row.inner_text() == "0"
    shot(dashboard, "employer-dashboard")

    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    form = phone.new_page()
    log_in(form, live_server.url, world["employee"])
    form.goto(live_server.url + reverse("sollicitaties:new", args=[world["trajectory"].uuid]))
    assert form.locator("html").get_attribute("lang") == "pl"
    form.fill("#id_organisation", "Jumbo")
    form.fill("#id_vacancy_title", "Kierownik zmiany")
    shot(form, "employee-application-360px")
    with form.expect_navigation():
        form.click("main form button[type=submit]")
    saved_at = time.monotonic()

    expect(row).to_have_text("1", timeout=5000)
    assert time.monotonic() - saved_at < 5
    assert dashboard.locator("#id_status").input_value() == "active"
    assert "status=active" in dashboard.url  # no reload, same filters
    assert dashboard.evaluate("window.scrollY") == 150
    shot(dashboard, "employer-dashboard-updated")
    employer.close()
    phone.close()


def test_a_specialist_logs_a_conversation_with_the_keyboard_only(browser, live_server, world):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    log_in(page, live_server.url, world["specialist"], world["specialist_secret"])
    url = reverse("trajecten:record_new", args=[world["trajectory"].uuid, "gesprek"])
    page.goto(live_server.url + url)
    # The summary has the focus on arrival; everything else is Tab and typing.
    assert page.evaluate("document.activeElement.name") == "summary"
    page.keyboard.type("Vacatures doorgenomen; cv aangepast.")
    page.keyboard.press("Tab")
    page.keyboard.type("Twee sollicitaties deze week.")
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "[document.activeElement.tagName, document.activeElement.type || '',"
            " document.activeElement.closest('main') !== null]"
        )
        if focused == ["BUTTON", "submit", True]:
            break
    else:
        pytest.fail("the submit button cannot be reached with Tab")
    shot(page, "conversation-form-keyboard")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*tab=conversations.*"))
    report = ConversationReport.objects.get()
    assert report.summary == "Vacatures doorgenomen; cv aangepast."
    assert report.agreements == "Twee sollicitaties deze week."
    assert report.author == world["specialist"]
    context.close()


def _webhook(w):
    """An endpoint of the agency's with one failed attempt in its log (the log's full row)."""
    from portal.models import WebhookDelivery, WebhookEndpoint
    from portal.webhooks.services import new_secret

    endpoint = WebhookEndpoint.objects.create(
        agency_id=w["admin"].agency_id,
        owner=w["admin"],
        url="https://93.184.215.14/hooks",
        events=["report.final"],
        secret=new_secret(),
    )
    WebhookDelivery.objects.create(
        endpoint=endpoint,
        event="report.final",
        body='{"type":"report.final","data":{}}',
        attempts=1,
        log=[{"at": "2026-12-06T10:00:00+00:00", "status": 500, "error": "http", "ms": 12}],
    )
    return endpoint


def _invoice(w):
    """An issued invoice of the agency's (the trajectory's product), with a credit note."""
    from facturen import services
    from tests.facturen.conftest import PROFILE, address

    admin, trajectory = w["admin"], w["trajectory"]
    services.profile_save(actor=admin, **PROFILE)
    services.billing_address_save(
        actor=admin, employer=trajectory.legal_entity.employer, **address()
    )
    (draft,) = services.invoices_propose(actor=admin, until=trajectory.start_date)
    invoice = services.invoice_issue(actor=admin, invoice=draft)
    services.credit_note_create(actor=admin, invoice=invoice, reason="Correctie")
    return invoice


MAIN_PAGES = {
    "contact": [
        ("employer-dashboard", lambda w: reverse("dashboards:home")),
        ("employer-file", lambda w: reverse("trajecten:file", args=[w["trajectory"].uuid])),
        ("messages", lambda w: reverse("trajecten:inbox")),
        (
            "employer-file-history",
            lambda w: reverse("trajecten:file", args=[w["trajectory"].uuid]) + "?tab=history",
        ),
        ("notice-settings", lambda w: reverse("portal:notice_settings")),
    ],
    "specialist": [
        ("specialist-day", lambda w: reverse("dashboards:home")),
        ("caseload", lambda w: reverse("trajecten:list")),
        ("search", lambda w: reverse("trajecten:search") + "?q=piotr"),
        (
            "file-messages",
            lambda w: reverse("trajecten:file", args=[w["trajectory"].uuid]) + "?tab=messages",
        ),
        (
            "conversation-form",
            lambda w: reverse("trajecten:record_new", args=[w["trajectory"].uuid, "gesprek"]),
        ),
        (
            "file-history",
            lambda w: reverse("trajecten:file", args=[w["trajectory"].uuid]) + "?tab=history",
        ),
        (
            "trajectory-history",
            lambda w: reverse("portal:record_history", args=["trajectory", w["trajectory"].uuid]),
        ),
    ],
    "admin": [
        ("agency-overview", lambda w: reverse("dashboards:agency_overview")),
        ("billing", lambda w: reverse("dashboards:billing")),
        ("team", lambda w: reverse("portal:team")),
        ("team-member", lambda w: reverse("portal:team_member", args=[w["specialist"].uuid])),
        ("webhooks", lambda w: reverse("portal:webhooks")),
        ("webhook", lambda w: reverse("portal:webhook", args=[_webhook(w).uuid])),
        ("invoice", lambda w: reverse("facturen:detail", args=[_invoice(w).uuid])),
        ("invoices", lambda w: reverse("facturen:list")),
        ("invoice-details", lambda w: reverse("facturen:profile")),
    ],
    "employee": [
        ("employee-home", lambda w: reverse("dashboards:home")),
        ("employee-applications", lambda w: reverse("sollicitaties:mine")),
        (
            "employee-application-form",
            lambda w: reverse("sollicitaties:new", args=[w["trajectory"].uuid]),
        ),
        ("not-found", lambda w: "/bestaat-niet/"),
    ],
}


@pytest.mark.skipif(not AXE.exists(), reason="axe-core is not installed (npm ci in tests/browser)")
@pytest.mark.parametrize("role", MAIN_PAGES)
def test_main_pages_have_no_serious_accessibility_violations(browser, live_server, world, role):
    # axe is injected as a script; the portal's CSP (rightly) forbids that, so only here it is
    # bypassed.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    log_in(page, live_server.url, world[role], world.get(f"{role}_secret"))
    problems = {}
    for name, url_for in MAIN_PAGES[role]:
        page.goto(live_server.url + url_for(world))
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})"
        )
        assert result["passes"], "axe did not run"
        serious = [
            f"{v['id']}: {v['help']} ({len(v['nodes'])}x, e.g. {v['nodes'][0]['html'][:120]})"
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        if serious:
            problems[name] = serious
        shot(page, f"{role}-{name}")
    context.close()
    assert problems == {}


def test_the_employee_reads_a_report_on_a_phone_and_signs_a_response(browser, live_server, world):
    from rapportages import services
    from rapportages.models import Report, ReportResponse
    from trajecten.models import SearchFunction, SearchProfile

    t = world["trajectory"]
    t.referral_basis, t.referral_advice_date = "company_doctor", t.start_date - timedelta(days=10)
    t.save()
    profile = SearchProfile.objects.create(
        trajectory=t, version=1, valid_from=t.start_date, sectors="Logistiek", region="Utrecht",
        author=world["specialist"],
    )  # fmt: skip
    SearchFunction.objects.create(profile=profile, title="Planner", reason="Ervaring")
    # A contact with a long kind and a duration: its row fits the phone (the demo's did not).
    ConversationReport.objects.create(
        trajectory=t, date=t.start_date + timedelta(days=3), kind="three_way",
        duration_minutes=60, visibility="employee", summary="Voortgang besproken.",
        author=world["specialist"],
    )  # fmt: skip
    report = Report.objects.create(
        trajectory=t, agency_id=t.agency_id, kind="progress", number=1,
        period_start=t.start_date, period_end=t.start_date + timedelta(days=15),
        due_date=t.start_date + timedelta(days=16), progress="Twee gesprekken gevoerd.",
        evaluation="De norm is gehaald.", next_steps="Doorgaan als planner.",
    )  # fmt: skip
    services.report_offer(actor=world["specialist"], report=report)

    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = phone.new_page()
    log_in(page, live_server.url, world["employee"])
    # The home page says, in Polish and above the fold, that a report waits for a response,
    # and its link lands at the response form.
    banner = page.locator("main .message.warning", has_text="czeka na twoją odpowiedź")
    expect(banner).to_be_visible()
    assert banner.bounding_box()["y"] < 740
    shot(page, "employee-home-report-waits-360px")
    with page.expect_navigation():
        banner.locator("a").click()
    assert page.url.endswith(reverse("rapportages:detail", args=[report.uuid]) + "#respond")
    assert page.evaluate("document.getElementById('respond').getBoundingClientRect().top") < 740
    assert "Twee gesprekken gevoerd." in page.inner_text("main")
    # The page fits the phone: wide tables scroll inside the report, the page does not.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.check("input[name=decision][value=disagree]")
    with page.expect_navigation():  # not wait_for_load_state: the old page is loaded too
        page.click("#respond button[type=submit]")  # no reason yet
    assert page.locator("#respond .error").count() >= 1  # said at the field, in Polish
    # ... and the page lands there, 8,000 px down, with the same message at the top.
    assert page.url.endswith("#respond")
    assert page.evaluate("document.getElementById('respond').getBoundingClientRect().top") < 740
    assert page.evaluate("window.scrollY") > 1000
    assert page.locator(".form-errors[role=alert]").count() == 1
    assert not ReportResponse.objects.exists()
    page.check("input[name=decision][value=disagree]")
    page.fill("#id_reason", "Wolę pracować w opiece.")
    shot(page, "employee-response-360px")
    with page.expect_navigation():
        page.click("#respond button[type=submit]")
    response = ReportResponse.objects.get()
    assert (response.decision, response.reason) == ("disagree", "Wolę pracować w opiece.")
    assert "Wolę pracować w opiece." in page.inner_text("main")  # the reason, shown back
    assert response.authenticated_by == "wachtwoord"  # a real login, recorded as allauth saw it
    assert response.content_sha256 == Report.objects.get(pk=report.pk).review_sha256
    phone.close()


class Inputs:
    """Counts what a person does: every tap and every field typed into."""

    def __init__(self, page):
        self.page, self.count = page, 0

    def tap(self, selector: str) -> None:
        self.count += 1
        self.page.click(selector)

    def type(self, selector: str, text: str) -> None:
        self.count += 1
        self.page.click(selector)
        self.page.keyboard.type(text, delay=150)  # about 40 words a minute, on a phone


def test_an_employee_records_an_application_on_a_phone_in_30_seconds(
    browser, live_server, world, settings
):
    """From the home page: the main button, the organisation, the vacancy, save. Kind and
    date are filled in; the rest waits behind "more details"."""
    from sollicitaties.models import ApplicationActivity

    settings.UPLOAD_MAX_BYTES = 2048  # the phone refuses a larger file before sending
    phone = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        bypass_csp=True,  # for axe
    )
    page = phone.new_page()
    log_in(page, live_server.url, world["employee"])
    header = page.locator("header.site-header").bounding_box()
    assert header["height"] <= 64, "the header is one compact row on a phone"
    shot(page, "employee-home-360px")

    started, inputs = time.monotonic(), Inputs(page)
    inputs.tap("a.button-main")
    assert page.locator("details.more-details").get_attribute("open") is None
    inputs.type("#id_organisation", "Jumbo")
    inputs.type("#id_vacancy_title", "https://www.werkenbijjumbo.nl/vacature/1234")
    shot(page, "employee-application-form-360px")
    inputs.tap("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/sollicitaties/.*"))
    elapsed = time.monotonic() - started
    assert inputs.count <= 6 and elapsed <= 30, (inputs.count, elapsed)
    activity = ApplicationActivity.objects.get(organisation="Jumbo")
    assert activity.vacancy_url == "https://www.werkenbijjumbo.nl/vacature/1234"
    assert activity.kind == "written_application" and activity.date == timezone.localdate()

    # A status tap keeps the application in view, names it and can be undone.
    card = page.locator(f"#activity-{activity.uuid}")
    card.locator("button[value=invited]").click()
    page.wait_for_url(re.compile(rf".*#activity-{activity.uuid}$"))
    undo = page.locator(f"#activity-{activity.uuid} .undo")
    expect(undo).to_contain_text("Jumbo")
    shot(page, "employee-status-undo-360px")
    with page.expect_navigation():
        undo.locator("button").click()
    activity.refresh_from_db()
    assert activity.status == "sent"
    assert activity.status_changes.count() == 1

    # The menu opens from one button.
    page.click("[data-menu-toggle]")
    expect(page.locator("#site-menu")).to_be_visible()
    expect(page.locator("#site-menu")).to_contain_text("Moje zgłoszenia")
    shot(page, "employee-menu-360px")

    # Errors: summarised at the top, said at the field; a too large file never leaves.
    page.goto(live_server.url + reverse("sollicitaties:new", args=[world["trajectory"].uuid]))
    page.fill("#id_date", (timezone.localdate() + timedelta(days=3)).isoformat())
    page.click("details.more-details summary")
    page.set_input_files(
        "#id_evidence", files=[{"name": "list.pdf", "mimeType": "application/pdf",
                                "buffer": b"%PDF-1.4 " + b"x" * 4096}],
    )  # fmt: skip
    expect(page.locator("#id_evidence_size")).to_be_visible()
    assert page.eval_on_selector("#id_evidence", "el => el.files.length") == 0
    page.click("main form button[type=submit]")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#id_date']")).to_be_visible()
    expect(page.locator(".field-error #id_date")).to_be_visible()
    assert summary.bounding_box()["y"] < 300, "the summary is at the top of the page"
    shot(page, "employee-application-errors-360px")
    assert serious_violations(page) == []
    page.click("[data-menu-toggle]")
    assert serious_violations(page) == []

    # The page that came back still says the file was left out, at its field ...
    expect(page.locator("#id_evidence_size")).to_contain_text("list.pdf")
    # ... and with the date put right, the application is recorded without the file, and the
    # page says so instead of only "recorded".
    page.fill("#id_date", timezone.localdate().isoformat())
    page.fill("#id_organisation", "Albert Heijn")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert not ApplicationActivity.objects.get(organisation="Albert Heijn").evidence.exists()
    told = page.locator("li.message.warning").filter(has_text="list.pdf")
    expect(told).to_contain_text("nie został dołączony")
    expect(told).to_contain_text("2,0 KB")
    shot(page, "employee-evidence-not-attached-360px")
    phone.close()


def serious_violations(page) -> list[str]:
    if not AXE.exists():
        pytest.skip("axe-core is not installed (npm ci in tests/browser)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa']}})"
    )
    assert result["passes"], "axe did not run"
    return [
        f"{v['id']}: {v['help']} ({v['nodes'][0]['html'][:120]})"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_an_application_recorded_offline_is_sent_once_when_the_connection_returns(
    browser, live_server, world
):
    """The phone loses its connection: the form still opens, the application waits visibly
    on the phone, and is recorded exactly once when the connection is back. Logging out
    leaves no page and no outbox behind."""
    from sollicitaties.models import ApplicationActivity

    phone = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        bypass_csp=True,  # wait_for_function
    )
    page = phone.new_page()
    log_in(page, live_server.url, world["employee"])
    # Installable: a manifest with icons, and a service worker that controls the page.
    manifest = page.evaluate("fetch('/manifest.webmanifest').then(r => r.json())")
    assert manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} >= {"192x192", "512x512"}
    wait_for_kept_pages(page)
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    phone.set_offline(True)
    form_url = reverse("sollicitaties:new", args=[world["trajectory"].uuid])
    page.goto(live_server.url + form_url)  # from the phone, not the server
    page.fill("#id_organisation", "Albert Heijn")
    page.fill("#id_vacancy_title", "Vakkenvuller")
    page.click("main form button[type=submit]")
    banner = page.locator("#outbox")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Albert Heijn – Vakkenvuller")
    shot(page, "employee-outbox-waiting-360px")
    assert not ApplicationActivity.objects.exists()

    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator(".activity", has_text="Albert Heijn")).to_be_visible(timeout=10000)
    expect(banner).to_be_hidden()
    # Sent again (a second tab, a retry): still one application.
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.reload()
    assert ApplicationActivity.objects.filter(organisation="Albert Heijn").count() == 1
    shot(page, "employee-outbox-sent-360px")

    page.click("[data-menu-toggle]")
    with page.expect_navigation():
        page.click("form[action$='/accounts/logout/'] button")
    left = page.evaluate(
        "caches.keys().then(async keys => ({caches: keys,"
        " workers: (await navigator.serviceWorker.getRegistrations()).length}))"
    )
    assert left == {"caches": [], "workers": 0}
    phone.close()


def test_error_pages_on_a_phone_are_branded_and_accessible(browser, live_server, world):
    phone = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        bypass_csp=True,  # for axe
    )
    page = phone.new_page()
    log_in(page, live_server.url, world["employee"])
    for name, path, status in [
        ("not-found", "/bestaat-niet/", 404),
        ("no-access", reverse("trajecten:new"), 403),
    ]:
        response = page.goto(live_server.url + path)
        assert response.status == status
        expect(page.locator("h1")).to_be_visible()
        expect(page.locator(".error-page a.button")).to_be_visible()
        assert serious_violations(page) == []
        shot(page, f"error-{name}-360px")
    phone.close()


@pytest.mark.parametrize("role", ["admin", "contact"])
def test_team_and_chart_pages_on_a_phone_are_accessible(browser, live_server, world, role):
    pages = {
        "admin": [
            ("team", reverse("portal:team")),
            ("team-member", reverse("portal:team_member", args=[world["specialist"].uuid])),
            ("agency-overview", reverse("dashboards:agency_overview")),
            ("results", reverse("kwaliteit:results")),
        ],
        "contact": [
            ("employer-dashboard", reverse("dashboards:home")),
            ("results", reverse("kwaliteit:results")),
        ],
    }[role]
    phone = browser.new_context(
        viewport={"width": 360, "height": 740},
        is_mobile=True,
        bypass_csp=True,  # for axe
    )
    page = phone.new_page()
    log_in(page, live_server.url, world[role], world[f"{role}_secret"])
    for name, path in pages:
        page.goto(live_server.url + path)
        assert serious_violations(page) == [], name
        shot(page, f"{role}-{name}-360px")
    phone.close()


def test_the_survey_on_a_phone_is_answered_with_taps_and_is_accessible(browser, live_server, world):
    from kwaliteit.models import SurveyInvitation
    from kwaliteit.services import survey_token

    invitation = SurveyInvitation.objects.create(
        trajectory=world["trajectory"],
        party="employee",
        user=world["employee"],
        email=world["employee"].email,
        language="pl",
        expires_at=timezone.now() + timedelta(days=30),
        sent_at=timezone.now(),
    )
    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True,
                                bypass_csp=True)  # fmt: skip
    page = phone.new_page()
    page.goto(live_server.url + reverse("kwaliteit:survey", args=[survey_token(invitation)]))
    expect(page.locator("html")).to_have_attribute("lang", "pl")
    assert "Kowalski" not in page.content() and "Spoorwerk" not in page.content()
    assert serious_violations(page) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    shot(page, "survey-360px")
    page.get_by_role("radio", name="8").first.check()  # guidance only: two marks missing
    page.click("main form.form button[type=submit]")
    expect(page.locator(".field-error")).to_have_count(2)
    assert serious_violations(page) == []
    shot(page, "survey-errors-360px")
    page.locator("fieldset").nth(1).get_by_role("radio", name="7").check()
    page.locator("fieldset").nth(2).get_by_role("radio", name="9").check()
    page.fill("textarea[name=comment]", "Dobra współpraca")
    page.click("main form.form button[type=submit]")
    expect(page.locator("h1")).to_have_text("Dziękujemy!")
    shot(page, "survey-thanks-360px")
    invitation.refresh_from_db()
    assert (invitation.guidance, invitation.communication, invitation.result) == (8, 7, 9)
    assert invitation.comment == "Dobra współpraca"
    phone.close()


def test_on_a_shared_phone_the_next_person_offline_never_sees_the_last_ones_pages(
    browser, live_server, world
):
    """Issue 38, item 7: kept pages are bound to the session that kept them. Offline, the
    employee still sees their own kept pages; once that session is over (the browser closed:
    its session cookies are gone; or it timed out), the next person offline gets the offline
    page, and the kept pages are deleted."""
    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = phone.new_page()
    log_in(page, live_server.url, world["employee"])
    wait_for_kept_pages(page)
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    name = world["employee"].first_name  # the home page greets them

    phone.set_offline(True)
    page.goto(live_server.url + "/")
    assert name in page.content()  # their own session: their kept home page

    phone.clear_cookies()  # the browser closed: session cookies end with it
    page.goto(live_server.url + "/sollicitaties/")
    assert name not in page.content()
    expect(page.locator("h1")).to_have_text("Brak połączenia")  # the offline page, in Polish
    shot(page, "shared-phone-offline-after-session-360px")
    assert page.evaluate(KEPT_PAGES) == 0

    # Timed out: the same cookie, but the session's idle time is over.
    phone.set_offline(False)
    log_in(page, live_server.url, world["employee"])
    wait_for_kept_pages(page)
    page.evaluate(
        "caches.open('spoorboek-pages').then(async c => {"
        " const r = await c.match('/__spoorboek__/session'); const s = await r.json();"
        " s.until = Date.now() - 1000;"
        " await c.put('/__spoorboek__/session', new Response(JSON.stringify(s))); })"
    )
    phone.set_offline(True)
    page.goto(live_server.url + "/")
    assert name not in page.content()
    phone.close()


# --- Issue 39, item 1: the outbox keeps every application, and says "recorded" only for what
# the server recorded ------------------------------------------------------------------------


def _phone_ready_offline(browser, live_server, world):
    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, bypass_csp=True
    )
    page = phone.new_page()
    log_in(page, live_server.url, world["employee"])
    wait_for_kept_pages(page)
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    return phone, page


def _record(page, live_server, world, organisation: str) -> None:
    page.goto(live_server.url + reverse("sollicitaties:new", args=[world["trajectory"].uuid]))
    page.fill("#id_organisation", organisation)
    page.fill("#id_vacancy_title", "Vakkenvuller")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()


def _recorded(*organisations: str, timeout: float = 10) -> list[str]:
    from sollicitaties.models import ApplicationActivity

    deadline = time.time() + timeout
    found = []
    while True:
        # SQLite's shared in-memory test database says "table is locked" while the server
        # thread writes: read again in a moment.
        with contextlib.suppress(OperationalError):
            found = sorted(ApplicationActivity.objects.values_list("organisation", flat=True))
        if found == sorted(organisations) or time.time() > deadline:
            return found
        time.sleep(0.2)


def _back_online(phone, page) -> None:
    phone.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")


@pytest.mark.parametrize("count", [2, 3])
def test_several_applications_recorded_offline_are_all_kept_and_all_sent(
    browser, live_server, world, count
):
    phone, page = _phone_ready_offline(browser, live_server, world)
    phone.set_offline(True)
    names = [f"Winkel {n}" for n in range(1, count + 1)]
    for name in names:
        _record(page, live_server, world, name)
    banner = page.locator("#outbox li")
    expect(banner).to_have_count(count)
    for name in names:
        expect(page.locator("#outbox")).to_contain_text(name)
    shot(page, f"employee-outbox-{count}-waiting-360px")
    assert _recorded(timeout=0) == []
    _back_online(phone, page)
    assert _recorded(*names) == sorted(names)
    expect(page.locator("#outbox")).to_be_hidden(timeout=10000)
    phone.close()


def test_one_recorded_online_then_one_offline_are_two_applications(browser, live_server, world):
    """The kept form carried the first one's key: the second was answered "recorded" and
    lost. Now each submission has a key of its own, and the phone says "waiting" until the
    server has it."""
    phone, page = _phone_ready_offline(browser, live_server, world)
    _record(page, live_server, world, "Online BV")
    assert _recorded("Online BV") == ["Online BV"]
    expect(page.locator(".messages")).to_be_visible()  # the server's own "recorded"
    phone.set_offline(True)
    _record(page, live_server, world, "Offline BV")
    expect(page.locator("#outbox")).to_contain_text("Offline BV")
    expect(page.locator(".messages")).to_have_count(0)  # no "recorded" for what waits
    _back_online(phone, page)
    assert _recorded("Online BV", "Offline BV") == ["Offline BV", "Online BV"]
    phone.close()


def test_a_send_that_fails_is_kept_and_sent_once_later(browser, live_server, world):
    phone, page = _phone_ready_offline(browser, live_server, world)
    phone.set_offline(True)
    _record(page, live_server, world, "Retry BV")
    attempts = []

    def flaky(route):
        attempts.append(route.request.url)
        if len(attempts) == 1:
            route.fulfill(status=503, body="busy")  # the server cannot take it now
        else:
            route.continue_()

    phone.route(re.compile(r".*/sollicitaties/traject/.*/nieuw/$"), flaky)
    _back_online(phone, page)
    for _ in range(20):  # the next "online" (or page load) sends it again
        if len(attempts) >= 2:
            break
        page.wait_for_timeout(500)
        page.evaluate("window.dispatchEvent(new Event('online'))")
    assert _recorded("Retry BV") == ["Retry BV"], attempts
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.wait_for_timeout(500)
    assert _recorded("Retry BV", timeout=0) == ["Retry BV"]  # once, though sent twice
    expect(page.locator("#outbox")).to_be_hidden(timeout=10000)
    phone.close()


def test_logging_out_names_what_still_waits_before_it_goes(browser, live_server, world):
    phone, page = _phone_ready_offline(browser, live_server, world)
    phone.set_offline(True)
    _record(page, live_server, world, "Wachtend BV")
    dialogs = []

    def answer(dialog, accept):
        dialogs.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda d: answer(d, False))
    page.click("[data-menu-toggle]")
    page.click("form[action$='/accounts/logout/'] button")
    page.wait_for_timeout(500)
    assert "Wachtend BV" in dialogs[0]
    expect(page.locator("#outbox")).to_contain_text("Wachtend BV")  # stayed, still kept

    # Online, but the send held back: logging out names it, and then it goes.
    phone.route(re.compile(r".*/sollicitaties/traject/.*/nieuw/$"), lambda r: r.abort())
    phone.set_offline(False)
    page.once("dialog", lambda d: answer(d, True))
    if not page.locator("form[action$='/accounts/logout/'] button").is_visible():
        page.click("[data-menu-toggle]")
    with page.expect_navigation():
        page.click("form[action$='/accounts/logout/'] button")
    assert "Wachtend BV" in dialogs[1]
    left = page.evaluate("caches.keys()")
    assert left == [] and _recorded(timeout=0) == []
    phone.close()
