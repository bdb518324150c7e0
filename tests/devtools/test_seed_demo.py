"""`make run` seeds the demo: two agencies, isolation that can be seen, and a file whose
reports tell a plausible story. Seeding renders about twenty PDFs, so it runs once here and
every check reads the same data."""

from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from portal.models import Agency, User
from rapportages.models import Report, ReportResponse
from rapportages.schedule import reports_due
from trajecten.models import (
    Assignment,
    ConversationReport,
    Employee,
    PhaseChange,
    Task,
    Training,
    Trajectory,
)


def seed(settings, capsys):
    settings.EMBEDDED = True
    call_command("seed_demo")
    return capsys.readouterr().out


def test_seed_demo(db, settings, capsys, client, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):  # the PDFs are rendered on commit
        out = seed(settings, capsys)
    counts = (User.objects.count(), Employee.objects.count(), Trajectory.objects.count(),
              Report.objects.count())  # fmt: skip
    # A report's notice carries the moment the report became final, not the seed's (the
    # seed dates them after its commit; here the commit's callbacks ran after the command).
    from devtools.management.commands._demo_file import notices_on_their_day
    from portal.models import Notification

    notices_on_their_day()
    notice = Notification.objects.filter(message="final").first()
    assert notice.created_at == Report.objects.get(uuid=notice.url.split("/")[-2]).signed_at
    seed(settings, capsys)
    assert (User.objects.count(), Employee.objects.count(), Trajectory.objects.count(),
            Report.objects.count()) == counts  # fmt: skip
    assert settings.DEMO_PASSWORD in out
    for user in User.objects.all():
        assert user.email in out

    six, four = Agency.objects.order_by("name")
    assert (six.phases.count(), four.phases.count()) == (6, 4)
    piotr = Employee.objects.get(last_name="Kowalski", guidance_language="pl")
    assert piotr.employments.count() == 2  # one person, two BVs, no duplicate

    # The reports: signed on time (by their due date) and final, one overdue, one due soon.
    today = timezone.localdate()
    final = Report.objects.filter(status="final")
    assert final.count() >= 10
    assert all(r.signed_at.date() <= r.due_date and r.pdf for r in final)
    assert all(r.discussed_on and r.evaluation and r.next_steps for r in final)
    assert final.filter(kind="trajectory_plan").exists()
    assert final.filter(kind="final").exists()
    # Every final report carries the employee's signed response to the text they read (or
    # says there was none); a plan the employer's signature too.
    responses = ReportResponse.objects.filter(report__status="final")
    assert responses.filter(party="employee", report__kind="progress").exclude(reason="").exists()
    assert responses.filter(party="employer", report__kind="trajectory_plan").exists()
    assert all(r.content_sha256 == r.report.review_sha256 for r in responses)
    assert all(r.created_at.date() < r.report.signed_at.date() for r in responses)
    drafts = Report.objects.filter(status="draft")
    assert [r.trajectory.employee.last_name for r in drafts.filter(due_date__lt=today)] == [
        "Peters"
    ]
    assert drafts.filter(due_date__gte=today, due_date__lte=today + timedelta(days=7)).exists()
    # Nothing the schedule asks for is missing.
    for t in Trajectory.objects.exclude(start_date=None):
        due = reports_due(start=t.start_date, intake=t.intake_date, end=t.end_date,
                          ended=t.is_ended, feasibility=False, today=today,
                          lead_days=0)  # fmt: skip
        have = set(t.reports.values_list("kind", "number"))
        assert {(d.kind, d.number) for d in due} <= have

    # A narrative agrees with the figures of its own report.
    report = final.filter(kind="progress").order_by("due_date").last()
    s = report.snapshot
    assert f"In deze periode {s['applications']['total']} sollicitatieactiviteiten" in (
        report.progress
    )
    met, complete = s["norm"]["met"], s["norm"]["complete"]
    assert (
        f"gehaald in alle {complete}" if met == complete else f"gehaald in {met} van de {complete}"
    ) in report.evaluation

    # A realistic spread of work: what fell due was done, except in one file per agency.
    for email, behind in [("sanne@spoorwerk.example", 1), ("mohamed@spoorwerk.example", 0),
                          ("lotte@tweedekans.example", 1)]:  # fmt: skip
        mine = {"trajectory__memberships__user__email": email}
        assert Task.objects.filter(**mine, done_on=None, due_date__lt=today).count() == behind
        assert Assignment.objects.filter(**mine, status="open", due_date__lt=today).count() == (
            behind
        )
    # Every employee had a conversation recently (the contact signal stays quiet).
    from dashboards.selectors import specialist_day

    for email in (
        "sanne@spoorwerk.example",
        "mohamed@spoorwerk.example",
        "lotte@tweedekans.example",
    ):
        assert specialist_day(user=User.objects.get(email=email), today=today).little_contact == []
    # The second agency has a world of its own, not a copy of the first.
    spoorwerk, tweede_kans = (Agency.objects.get(name=n) for n in
                              ("Spoorwerk Re-integratie", "Tweede Kans Loopbaan"))  # fmt: skip
    assert not set(spoorwerk.vacancies.values_list("title", "organisation")) & set(
        tweede_kans.vacancies.values_list("title", "organisation")
    )
    assert not ConversationReport.objects.filter(
        trajectory__agency=tweede_kans, summary__icontains="logistiek"
    ).exists()
    assert not Training.objects.filter(
        trajectory__agency=tweede_kans, provider__icontains="Spoorwerk"
    ).exists()

    client.post(
        reverse("account_login"),
        {"login": "hr.vermeer@tweedekans.example", "password": settings.DEMO_PASSWORD},
    )
    html = client.get(reverse("dashboards:home")).content.decode()
    assert "Tomasz" in html
    assert "Kowalski" not in html

    # Every started file of the demo's first agency hands over without an error: exported,
    # then checked for an empty agency (whose own specialist takes them).
    import io

    from overdracht import export, services
    from overdracht import format as fmt
    from tests.factories import AgencyFactory, UserFactory

    beheer = User.objects.get(email="beheer@spoorwerk.example")
    started = Trajectory.objects.visible_to(beheer).filter(start_date__isnull=False)
    data = export.to_bytes(export.trajectories_for(started.exclude(status="referred")), source="")
    empty = AgencyFactory(name="Nieuw bureau")
    outcomes = services.archive_import(
        actor=UserFactory(agency=empty, admin=True), archive=fmt.Archive(io.BytesIO(data)),
        dry_run=True, assign_to=UserFactory(agency=empty, specialist=True),
    )  # fmt: skip
    assert len(outcomes) >= 5
    assert {o.outcome for o in outcomes} == {"created"}, [o.errors for o in outcomes]
    assert sum(o.counts.get("reports", 0) for o in outcomes) >= 10


def test_seed_demo_refuses_to_run_in_production(db, settings):
    settings.EMBEDDED = False
    with pytest.raises(CommandError):
        call_command("seed_demo")


def test_make_run_ends_with_the_logins_and_the_address(db, settings, capsys, monkeypatch):
    """`make run` serves with serve_demo: after the server's own banner come the logins, in
    English only, and the address; links in emails follow the port when SITE_URL is unset."""
    from io import StringIO

    from devtools.management.commands.serve_demo import Command

    seed(settings, capsys)
    monkeypatch.delenv("SITE_URL", raising=False)
    monkeypatch.setenv("DJANGO_RUNSERVER_HIDE_WARNING", "true")
    command = Command(stdout=StringIO())
    command.addr, command.protocol, command._raw_ipv6 = "127.0.0.1", "http", False
    command.on_bind(8001)
    out = command.stdout.getvalue()
    assert out.index("Starting development server") < out.index("Demo logins")
    assert out.rstrip().endswith("Open http://127.0.0.1:8001/ and log in with one of these.")
    assert "sanne@spoorwerk.example" in out and "specialist" in out
    assert "Specialist" not in out and "beheerder" not in out.lower()  # no Dutch role labels
    assert settings.SITE_URL == "http://127.0.0.1:8001"


def test_the_seeds_mail_goes_to_a_file_not_the_terminal(
    transactional_db, settings, capsys, tmp_path
):
    """Issue 40, item 2: `make run` printed some 2,400 lines of seed emails before the logins."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    settings.VAR_DIR = tmp_path
    settings.EMBEDDED = True
    call_command("seed_demo", "--quiet")
    out, err = capsys.readouterr()
    mails = list((tmp_path / "demo-mail").glob("*.log"))
    assert mails and "Subject:" in mails[0].read_text()
    assert "Subject:" not in out + err and "succeeded in" not in out + err
    assert out.splitlines()[-2:] == [
        f"The seed's emails (notices, reminders) are in {tmp_path / 'demo-mail'}/ "
        f"({len(mails)} files), not on this screen.",
        "Demo data ready.",
    ]
    assert settings.EMAIL_BACKEND.endswith("console.EmailBackend")  # restored


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_make_run_shows_the_branded_pages_not_djangos_debug_pages(tmp_path):
    """Issue 40, item 2: under `make run` a mistyped address was Django's yellow debug page
    listing every URL. The demo's server (the Makefile's command and environment) answers
    with the branded 404, and still serves the static files and the demo settings."""
    import os
    import re
    import subprocess
    import sys
    import time
    import urllib.error
    import urllib.request
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    run = re.search(r"^run:.*?(?=^\S)", (root / "Makefile").read_text(), re.S | re.M).group(0)
    assert "DJANGO_DEBUG_PAGES=false $(BIN)/python manage.py serve_demo" in run
    # The demo's webhook receiver listens on 127.0.0.1 (make webhook-receiver).
    assert "WEBHOOK_ALLOW_PRIVATE_ADDRESSES=true DJANGO_DEBUG_PAGES" in run
    port = _free_port()
    env = {**os.environ, "DJANGO_DEBUG": "true", "DJANGO_DEBUG_PAGES": "false",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
           "DJANGO_SETTINGS_MODULE": "config.settings"}  # fmt: skip
    env.pop("SPOORBOEK_TESTING", None)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=root, env=env,
                   check=True)  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve_demo", f"127.0.0.1:{port}", "--noreload",
         "--skip-checks"],
        cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/static/css/spoorboek.css", timeout=1)  # noqa: S310
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.1)
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/no-such-page/", timeout=5)  # noqa: S310
        body = missing.value.read().decode()
        assert missing.value.code == 404
        assert "Spoorboek" in body and "URLconf" not in body and "DEBUG = True" not in body
    finally:
        server.terminate()
        output = server.communicate(timeout=10)[0].decode()
    assert "Demo logins" in output and "No directory at" not in output


#: The trade an employee's own job belongs to, and the sector their search profile must name
#: (a care worker looks for care work, a mechanic for technical work): issue 40, item 1.
JOB_SECTOR = {
    "Chauffeur C/E": "Logistiek", "Magazijnmedewerker": "Logistiek", "Planner": "Logistiek",
    "Monteur": "Installatietechniek", "Verzorgende IG": "Zorg",
    "Huishoudelijk medewerker": "Facilitair", "Bakker (nachtploeg)": "Voedingsmiddelen",
    "Banketbakker": "Voedingsmiddelen", "Expeditiemedewerker": "Groothandel",
}  # fmt: skip


def test_every_demo_report_tells_one_true_story(db, settings, capsys):
    """Issue 40, item 1: each signed demo report's narrative names only its own figures,
    nothing in it is dated after its cut-off, the search profile fits the employee's trade,
    and the report's moments and the file's conversations fall on working days."""
    from rapportages import late, narrative
    from rapportages.models import Report
    from trajecten.models import Employment
    from trajecten.workdays import is_working_day

    seed(settings, capsys)
    signed = Report.objects.exclude(status="draft").select_related("trajectory__employee")
    assert signed.count() >= 15
    for report in signed:
        s, who = report.snapshot, (report.trajectory.employee.last_name, str(report))
        assert narrative.mismatches(s["narrative"], s) == {}, who
        fixed = timezone.localdate(late.frozen_at(report))
        cut = late.cutoff(report, fixed)
        rows = [*s["applications"]["table"], *s["contacts"]]
        assert all(_day(row["date"]) <= cut for row in rows), who
        t = report.trajectory
        job = Employment.objects.get(employee=t.employee, legal_entity=t.legal_entity).job_title
        profile = s["search_profile"]["in_force"]
        assert profile, (who, cut)
        assert JOB_SECTOR[job] in profile["sectors"], (who, job)
        for moment in (report.review_requested_at, report.signed_at):
            local = timezone.localtime(moment)
            assert is_working_day(local.date()) and 8 <= local.hour < 18, (who, local)
    for c in ConversationReport.objects.all():
        assert is_working_day(c.date), (c.trajectory.employee.last_name, c.date)
    for change in PhaseChange.objects.all():  # a report lists them: "13 september: Profiel"
        assert is_working_day(change.started_on), (change.trajectory_id, change.started_on)


def _day(text: str):
    d, m, y = text.split("-")
    return date(int(y), int(m), int(d))


def test_every_demo_employee_has_a_story_and_a_case_of_their_own(db, settings, capsys, client):
    """Issue 40, item 1: no two files share a trade; each employment-agency registration is the
    one in the employee's own log; the employer's WvP steps lie in their weeks and none after
    a placement ended the sickness; and the demo shows the product's range: a disagreement,
    a late start stated honestly, and a loonsanctie with the 2e spoor as its repair."""
    from sollicitaties.models import ApplicationActivity, TempAgencyRegistration
    from trajecten import wvp
    from trajecten.models import Extension, PersonProfile, SearchFunction

    seed(settings, capsys)
    started = Trajectory.objects.exclude(start_date=None).select_related("employee")
    people = {t.employee.last_name: t for t in started}
    assert len(people) == started.count() >= 8
    histories = PersonProfile.objects.values_list("work_history", flat=True)
    assert len(set(histories)) == len(histories) == len(people)
    first = SearchFunction.objects.filter(profile__version=1).values_list("title", flat=True)
    first_functions = {t.employee.last_name: first.get(profile__trajectory=t) for t in started}
    assert len(set(first_functions.values())) == len(people), first_functions

    for registration in TempAgencyRegistration.objects.select_related("trajectory__employee"):
        logged = ApplicationActivity.objects.get(
            trajectory=registration.trajectory, kind="agency_registration"
        )
        assert (logged.organisation, logged.date) == (registration.agency_name, registration.date)

    weeks = {"probleemanalyse_date": (6, 8), "plan_van_aanpak_date": (8, 8),
             "notification_42_date": (42, 42), "first_year_evaluation_date": (46, 52),
             "final_evaluation_date": (85, 89), "wia_application_date": (88, 93)}  # fmt: skip
    referred = Trajectory.objects.get(status="referred")  # the employer's steps happened too
    assert (
        referred.sickness_case.probleemanalyse_date and referred.sickness_case.notification_42_date
    )
    for name, t in people.items():
        case = t.sickness_case
        for field, (earliest, latest) in weeks.items():
            day = getattr(case, field)
            if day is None:
                continue
            assert earliest <= wvp.wvp_week(case.first_sick_day, day) <= latest, (name, field)
            assert t.end_date is None or day <= t.end_date, (name, field)

    # The disagreement: the employee says "Niet akkoord" and why; the report is still signed
    # and prints both.
    disagreed = ReportResponse.objects.get(party="employee", decision="disagree")
    report = disagreed.report
    assert report.status != "draft" and disagreed.reason.startswith("Ik ben het niet eens")
    printed = next(r for r in report.snapshot["responses"] if r["party"] == "employee")
    assert (printed["decision_label"], printed["reason"]) == ("Niet akkoord", disagreed.reason)

    # A start after the latest date is explained in the plan, with its own dates.
    plans = Report.objects.filter(kind="trajectory_plan").exclude(status="draft")
    late = [p for p in plans if not p.snapshot["referral"]["timely"]]
    assert {p.trajectory.employee.last_name for p in late} == {"el Amrani", "Bosman"}
    for plan in late:
        referral, text = plan.snapshot["referral"], plan.snapshot["narrative"]["progress"]
        assert f"na de uiterlijke start van {referral['latest_start']}" in text
        assert f"(week {referral['start_week']})" in text

    # The loonsanctie: decided after the WIA application, it moves week 104 by its weeks, and
    # the plan of its repair says so.
    sanction = Extension.objects.get(kind="wage_sanction")
    t = people["Bosman"]
    assert sanction.case == t.sickness_case
    assert t.sickness_case.wia_application_date < sanction.decided_on < t.start_date
    plan = plans.get(trajectory=t)
    assert plan.snapshot["referral"]["extension_weeks"] == sanction.weeks == 26
    assert "loonsanctie van 26 weken" in plan.snapshot["narrative"]["progress"]
    assert plan.snapshot["referral"]["week_104"] in plan.snapshot["narrative"]["progress"]
    client.force_login(User.objects.get(email="lotte@tweedekans.example"))
    page = client.get(reverse("rapportages:detail", args=[plan.uuid])).content.decode()
    assert "Verlenging wachttijd" in page
    assert (
        f"Loonsanctie (opgelegd door UWV): 26 weken, besloten op {sanction.decided_on.day}" in page
    )

    # The placed employee's final report does not call the eindevaluatie missed: it falls in
    # week 87 and the file closed before.
    final = Report.objects.get(kind="final", trajectory=people["Wiśniewska"])
    client.force_login(User.objects.get(email="mohamed@spoorwerk.example"))
    page = client.get(reverse("rapportages:detail", args=[final.uuid])).content.decode()
    assert "Eindevaluatie: nog niet gehouden; die valt in week 87" in page


def test_the_demo_shows_the_riv_check_on_a_clean_a_late_and_a_stale_file(
    db, settings, capsys, django_capture_on_commit_callbacks
):
    """Issue 42: Piotr's file is clean; Fatima's late start (week 60) is stated honestly and
    signed off as a valid reason, so it is not at risk; Jan's search profile is older than his
    new FML and asks more hours than it allows: the one file at risk, with time to repair."""
    from rapportages import riv_facts

    with django_capture_on_commit_callbacks(execute=True):  # the PDFs: the reports are final
        seed(settings, capsys)
    admin = User.objects.get(email="beheer@spoorwerk.example")
    today = timezone.localdate()
    by_name = {
        t.employee.last_name: t
        for t in Trajectory.objects.filter(agency__name="Spoorwerk Re-integratie").select_related(
            "employee"
        )
    }
    checked = riv_facts.results(user=admin, ids=[t.pk for t in by_name.values()], on=today)

    def check(name):
        return checked[by_name[name].pk]

    assert check("Kowalski").findings == ()
    fatima = check("el Amrani")
    assert [f.rule for f in fatima.excepted] == ["second_track_late"]
    assert "proefperiode als planner" in fatima.excepted[0].exception.reason
    assert not fatima.at_risk
    jan = check("de Vries")
    assert {("profile_stale", ""), ("profile_hours", "")} <= jan.open_keys()
    assert jan.at_risk and not jan.repair_window_closed
    assert [t.employee.last_name for t, _r in riv_facts.at_risk(riv_facts.checked(
        user=admin, trajectories=Trajectory.objects.visible_to(admin), on=today
    ))] == ["de Vries"]  # fmt: skip
