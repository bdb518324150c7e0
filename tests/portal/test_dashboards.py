"""The employer dashboard over all BVs, the specialist's day, and their live updates."""

import re
from datetime import date, datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from dashboards import selectors as dashboards
from portal import live, services, team
from portal.constants import DEFAULT_PHASES, PhaseSet
from portal.models import EmployerContact, Product
from rapportages import services as report_services
from rapportages.models import Report
from sollicitaties.models import ApplicationActivity
from tests.conftest import enrol_totp
from tests.factories import (
    AgencyFactory,
    EmployeeFactory,
    EmployerContactFactory,
    EmployerFactory,
    LegalEntityFactory,
    TrajectoryFactory,
    UserFactory,
)
from tests.rapportages.conftest import offer_and_agree
from trajecten import services as trajecten_services
from trajecten.constants import AssignmentStatus, TrajectoryStatus, Visibility
from trajecten.models import (
    Appointment,
    Assignment,
    ConversationReport,
    SicknessCase,
    Task,
    Trajectory,
)

HOME = reverse("dashboards:home")
HTMX = {"HTTP_HX_REQUEST": "true"}


def page(client, url=HOME, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def record_application(client, trajectory, day=None):
    return client.post(
        reverse("sollicitaties:new", args=[trajectory.uuid]),
        {
            "kind": "written_application",
            "date": (day or timezone.localdate()).isoformat(),
            "status": "sent",
            "organisation": "Jumbo",
            "vacancy_title": "Teamleider",
        },
    )


def conversation(**fields):
    fields.setdefault("duration_minutes", 30)
    return ConversationReport.objects.create(**fields)


# --- What an employer sees --------------------------------------------------------------------


def test_employer_sees_every_trajectory_of_its_bvs_with_counts_per_bv(cast, login):
    html = page(login(cast.contact_x_all))
    assert "X1 BV" in html and "X2 BV" in html
    assert "Xavier" in html and "Xenia" in html
    for outsider in ("Yara", "Zbigniew", "Y1 BV", "Z1 BV"):
        assert outsider not in html


def test_a_contact_limited_to_one_bv_sees_only_that_bv(cast, login):
    html = page(login(cast.contact_x1))
    assert "Xavier" in html
    assert "Xenia" not in html and "X2 BV" not in html


@pytest.mark.parametrize(
    ("field", "value_of", "shown", "hidden"),
    [
        ("legal_entity", lambda c: c.x2.uuid, "Xenia", "Xavier"),
        ("specialist", lambda c: c.specialist_a.uuid, "Xavier", "Xenia"),
        ("status", lambda c: "referred", "Xenia", "Xavier"),
    ],
)
def test_filters_narrow_the_rows(cast, login, field, value_of, shown, hidden):
    cast.traj_x2.status, cast.traj_x2.start_date = TrajectoryStatus.REFERRED, None
    cast.traj_x2.save()
    html = page(login(cast.contact_x_all), **{field: value_of(cast)})
    rows = html.split("<h2>Trajecten", 1)[1] if "<h2>Trajecten" in html else html
    assert shown in rows
    assert hidden not in rows.split("</table>", 1)[0]


def test_filter_by_phase(cast, login):
    phases = list(cast.agency_a.phases.order_by("position"))
    cast.traj_x1.phase = phases[2]
    cast.traj_x1.save()
    html = page(login(cast.contact_x_all), phase=phases[2].pk)
    assert "Xavier" in html and "Xenia" not in html


def test_filter_choices_come_from_what_the_user_may_see(cast, login):
    html = page(login(cast.contact_x1))
    assert "X2 BV" not in html  # not even as a choice
    assert "Cast Specialist A2" not in html


def test_a_bv_of_another_employer_in_the_filter_is_an_error_not_data(cast, login):
    response = login(cast.contact_x_all).get(HOME, {"legal_entity": cast.y1.uuid})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Yara" not in html
    response = login(cast.contact_x_all).get(HOME, {"legal_entity": "not-a-uuid", "page": "x"})
    assert response.status_code == 200


def test_the_last_conversation_report_shown_is_one_shared_with_the_employer(cast, login):
    shared = conversation(
        trajectory=cast.traj_x1,
        author=cast.specialist_a,
        kind="coaching",
        summary="Gedeeld",
        date=date(2026, 10, 1),
        visibility=Visibility.EMPLOYER,
    )
    conversation(
        trajectory=cast.traj_x1,
        author=cast.specialist_a,
        kind="coaching",
        summary="Intern",
        date=date(2026, 11, 1),
        visibility=Visibility.AGENCY,
    )
    html = page(login(cast.contact_x_all))
    assert shared.uuid and "1-10-2026" in html
    assert "1-11-2026" not in html


def _case(trajectory, **dates):
    SicknessCase.objects.filter(pk=trajectory.sickness_case_id).update(**dates)


@time_machine.travel(datetime(2026, 11, 24, 12, 0), tick=False)
def test_risk_signals_tell_the_employer_what_to_do(cast, login):
    today = date(2026, 11, 24)
    # Xavier: sick for 60 weeks, 2e spoor not started (referred): past the latest start.
    cast.traj_x1.status, cast.traj_x1.start_date = TrajectoryStatus.REFERRED, None
    cast.traj_x1.save()
    _case(cast.traj_x1, first_sick_day=today - timedelta(weeks=60))
    # Xenia: week 88, started three months ago without a report, below the norm.
    cast.traj_x2.start_date = today - timedelta(days=100)
    cast.traj_x2.save()
    _case(cast.traj_x2, first_sick_day=today - timedelta(weeks=88))
    html = page(login(cast.contact_x_all))
    assert "spreek deze week de start af met het bureau" in html
    assert "had uiterlijk" in html
    assert "0 van 4 sollicitaties in de vorige periode" in html
    assert "is niet geleverd: vraag het bureau wanneer die komt" in html
    assert "De WIA-aanvraag moet uiterlijk" in html


@time_machine.travel(datetime(2026, 11, 24, 12, 0), tick=False)
def test_a_published_report_and_a_met_norm_clear_their_signals(cast, login):
    today = date(2026, 11, 24)
    start = today - timedelta(days=100)
    cast.traj_x2.start_date = start
    cast.traj_x2.save()
    _case(cast.traj_x2, first_sick_day=today - timedelta(weeks=60), recovery_date=None)
    cast.traj_x1.status, cast.traj_x1.end_date = TrajectoryStatus.ENDED, today  # no signals
    cast.traj_x1.save()
    for n in range(4):
        ApplicationActivity.objects.create(
            trajectory=cast.traj_x2,
            kind="written_application",
            date=start + timedelta(days=60 + n),  # the last complete period
            organisation=f"Org {n}",
            recorded_by=cast.employee_x2,
        )
    Report.objects.create(
        agency=cast.agency_a,
        trajectory=cast.traj_x2,
        kind="progress",
        number=1,
        period_start=start,
        period_end=start + timedelta(days=90),
        due_date=start + timedelta(days=92),
        status="final",
    )
    html = page(login(cast.contact_x_all))
    assert "sollicitaties in de vorige periode" not in html
    assert "is niet geleverd" not in html


def test_the_employer_dashboard_never_names_medical_content(cast, login):
    conversation(
        trajectory=cast.traj_x1,
        author=cast.specialist_a,
        kind="coaching",
        summary="Hernia L5, fysiotherapie",
        visibility=Visibility.EMPLOYEE,
        contains_medical=True,
    )
    assert "Hernia" not in page(login(cast.contact_x_all))


@pytest.mark.parametrize("who", ["admin_b", "specialist_b", "contact_z"])
def test_outsiders_do_not_see_agency_a_on_the_employer_dashboard(cast, login, who):
    response = login(getattr(cast, who)).get(reverse("dashboards:employer"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Xavier" not in html and "X1 BV" not in html


def test_employees_have_no_employer_dashboard(cast, login):
    client = login(cast.employee_x1)
    assert client.get(reverse("dashboards:employer")).status_code == 404
    assert client.get(reverse("dashboards:specialist")).status_code == 404


# --- Live updates -----------------------------------------------------------------------------


def _poll_url(html: str) -> str:
    start = html.index('hx-get="') + len('hx-get="')
    return html[start : html.index('"', start)].replace("&amp;", "&")


def test_a_recorded_application_reaches_an_open_dashboard_on_the_next_poll(cast, login, on_commit):
    contact = login(cast.contact_x_all)
    html = page(contact, HOME, status="active")
    poll = _poll_url(html)
    assert "status=active" in poll  # the filters travel with the poll
    unchanged = contact.get(poll, **HTMX)
    assert unchanged.status_code == 204 and unchanged.content == b""

    employee = Client()
    employee.force_login(cast.employee_x1)
    assert on_commit(record_application, employee, cast.traj_x1).status_code == 302

    changed = contact.get(poll, **HTMX)
    assert changed.status_code == 200
    body = changed.content.decode()
    assert body.lstrip().startswith('<div id="live"')  # only the live part, swapped in place
    assert 'class="count">1</span>' in body
    assert _poll_url(body) != poll  # a new token: the next poll is quiet again
    assert contact.get(_poll_url(body), **HTMX).status_code == 204


def test_an_unchanged_poll_reads_no_file_data_whatever_the_size(cast, login):
    contact = login(cast.contact_x_all)
    poll = _poll_url(page(contact))
    for _ in range(30):
        TrajectoryFactory(legal_entity=cast.x1)
    contact.get(poll, **HTMX)
    with CaptureQueriesContext(connection) as ctx:
        assert contact.get(poll, **HTMX).status_code == 204
    # Answered from the session and the cache: not even the user is read (the test settings
    # keep sessions in the database; production reads them from Redis).
    assert [q["sql"] for q in ctx.captured_queries if "django_session" not in q["sql"]] == []


@pytest.mark.parametrize(
    ("who", "change"),
    [
        ("contact_x_all", lambda cast, who: team.member_deactivate(actor=cast.admin_a, member=who)),
        ("contact_x_all", lambda cast, who: team.mfa_reset(actor=cast.admin_a, member=who)),
        ("specialist_a", lambda cast, who: team.member_update(
            actor=cast.admin_a, member=who, first_name="S", last_name="A", role="agency_admin",
        )),
    ],
    ids=["deactivated", "mfa reset", "role changed"],
)  # fmt: skip
def test_a_poll_after_the_users_access_changed_goes_through_the_views_checks(
    cast, login, on_commit, who, change
):
    user = getattr(cast, who)
    client = login(user)
    poll = _poll_url(page(client))
    assert client.get(poll, **HTMX).status_code == 204
    on_commit(change, cast, user)
    assert client.get(poll, **HTMX).status_code != 204


def test_a_poll_after_a_password_change_elsewhere_logs_the_other_session_out(
    cast, login, on_commit
):
    user = cast.contact_x_all
    user.set_password("Old-password-2026")
    user.save()
    open_dashboard = login(user)
    poll = _poll_url(page(open_dashboard))
    assert open_dashboard.get(poll, **HTMX).status_code == 204
    elsewhere = Client()
    elsewhere.force_login(user)
    new = "New-pass-9876!"
    changed = on_commit(
        elsewhere.post,
        reverse("account_change_password"),
        {"oldpassword": "Old-password-2026", "password1": new, "password2": new},
    )
    assert changed.status_code == 302
    response = open_dashboard.get(poll, **HTMX)
    assert response.status_code != 204
    assert "count" not in response.content.decode()  # no figures: that session is logged out
    assert elsewhere.get(HOME).status_code == 200  # the session that changed it stays in


def test_a_poll_is_answered_from_the_session_only_for_the_user_it_was_rendered_for(cast, login):
    client = login(cast.contact_x_all)
    poll = _poll_url(page(client))
    session = client.session
    session[live.USER_SESSION_KEY] = [cast.contact_y.pk, session[live.USER_SESSION_KEY][1]]
    session.save()
    assert client.get(poll, **HTMX).status_code == 200  # rendered again, by the view
    assert client.get(poll, **HTMX).status_code == 204
    cache.delete(live.user_key(cast.contact_x_all.pk))  # evicted: never "nothing changed"
    assert client.get(poll, **HTMX).status_code == 200


def test_a_poll_does_not_keep_an_idle_session_alive(cast, login):
    contact = login(cast.contact_x_all)
    poll = _poll_url(page(contact))
    with time_machine.travel(timezone.now() + timedelta(minutes=20)):
        assert contact.get(poll, **HTMX).status_code == 204
    with time_machine.travel(timezone.now() + timedelta(minutes=35)):
        response = contact.get(HOME)
    assert response.status_code == 302  # the idle timeout counted from the last real request


def test_a_change_at_another_employer_does_not_refresh_this_dashboard(cast, login, on_commit):
    contact = login(cast.contact_y)
    poll = _poll_url(page(contact))
    employee = Client()
    employee.force_login(cast.employee_x1)
    assert on_commit(record_application, employee, cast.traj_x1).status_code == 302
    assert contact.get(poll, **HTMX).status_code == 204


@pytest.mark.parametrize(
    "change",
    ["conversation_shared", "report_final"],
)
def test_shared_reports_and_final_reports_refresh_the_dashboard(cast, login, on_commit, change):
    """Through the services, as every page, API call and task writes: the service raises the
    dashboards' version, no model signal does."""
    draft = Report.objects.create(
        agency=cast.agency_a, trajectory=cast.traj_x1, kind="final", number=0,
        period_start=date(2026, 1, 1), period_end=date(2026, 3, 31), due_date=date(2026, 4, 1),
        results="Geplaatst", evaluation="Goed", next_steps="Nazorg",
        discussed_on=date(2026, 3, 30),
    )  # fmt: skip
    offer_and_agree(draft)  # the employee agreed: ready to sign
    contact = login(cast.contact_x_all)
    poll = _poll_url(page(contact))
    assert contact.get(poll, **HTMX).status_code == 204  # a draft alone shows nothing

    def act():
        if change == "conversation_shared":
            trajecten_services.record_save(
                actor=cast.specialist_a, trajectory=cast.traj_x1, model=ConversationReport,
                kind="coaching", summary="Gedeeld", duration_minutes=30,
                visibility=Visibility.EMPLOYER,
            )  # fmt: skip
        else:
            report = Report.objects.get(pk=draft.pk)
            report_services.report_sign(
                actor=cast.specialist_a, report=report, confirmed=True
            )  # renders: final

    on_commit(act)
    assert login(cast.contact_x_all).get(poll, **HTMX).status_code == 200


def test_without_javascript_the_dashboard_is_a_normal_page_with_a_refresh_link(cast, login):
    html = page(login(cast.contact_x_all), HOME, status="active")
    assert 'href="/?status=active">' in html  # refresh keeps the filters
    assert "<html" in html


# --- The specialist's day ---------------------------------------------------------------------


@time_machine.travel(datetime(2026, 11, 24, 8, 0, tzinfo=timezone.get_current_timezone()))
def test_the_specialists_day(cast, login):
    today = date(2026, 11, 24)
    tz = timezone.get_current_timezone()
    Appointment.objects.create(
        trajectory=cast.traj_x1,
        subject="Coaching vandaag",
        starts_at=datetime(2026, 11, 24, 14, 0, tzinfo=tz),
        ends_at=datetime(2026, 11, 24, 15, 0, tzinfo=tz),
    )
    Appointment.objects.create(
        trajectory=cast.traj_x1,
        subject="Coaching donderdag",
        starts_at=datetime(2026, 11, 26, 10, 0, tzinfo=tz),
        ends_at=datetime(2026, 11, 26, 11, 0, tzinfo=tz),
    )
    Task.objects.create(trajectory=cast.traj_x1, title="CV klaar", due_date=today - timedelta(1))
    Assignment.objects.create(
        trajectory=cast.traj_x1,
        title="Vacatures zoeken",
        due_date=today - timedelta(days=2),
        status=AssignmentStatus.OPEN,
    )
    Report.objects.create(
        agency=cast.agency_a,
        trajectory=cast.traj_x1,
        kind="progress",
        number=1,
        period_start=today - timedelta(days=90),
        period_end=today,
        due_date=today + timedelta(days=5),
    )
    referred = TrajectoryFactory(
        legal_entity=cast.x1,
        referred=True,
        referral_date=date(2026, 11, 16),
        specialist=cast.specialist_a,
        employee=EmployeeFactory(agency=cast.agency_a, first_name="Ivo"),
    )
    html = page(login(cast.specialist_a))
    assert "Coaching vandaag" in html and "Coaching donderdag" in html
    assert "CV klaar" in html and "Vacatures zoeken" in html
    # The report's one name (issue 39, item 6), not its sequence number.
    assert "Voortgangsrapportage 3 mnd" in html and "Voortgangsrapportage 1<" not in html
    assert "Ivo" in html and referred.intake_deadline() < today  # promise missed
    # Another specialist's caseload stays out.
    assert "Xavier" not in page(login(cast.specialist_a2))


def test_the_specialists_day_lists_trajectories_below_the_norm(cast, login):
    cast.traj_x1.start_date = timezone.localdate() - timedelta(days=40)
    cast.traj_x1.save()
    html = page(login(cast.specialist_a))
    assert "0 van 4 vorige periode" in html


# --- Constant queries -------------------------------------------------------------------------


def world(n: int):
    agency = AgencyFactory()
    admin = UserFactory(agency=agency, admin=True)
    specialist = UserFactory(agency=agency, specialist=True)
    employer = EmployerFactory(agency=agency)
    contact = EmployerContactFactory(employer=employer).user
    for user in (admin, specialist, contact):
        enrol_totp(user)
    bvs = [LegalEntityFactory(employer=employer) for _ in range(3)]
    today = timezone.localdate()
    for i in range(n):
        t = TrajectoryFactory(
            legal_entity=bvs[i % 3],
            specialist=specialist,
            start_date=today - timedelta(days=20 + i % 200),
        )
        ApplicationActivity.objects.create(
            trajectory=t,
            kind="written_application",
            date=today,
            organisation="Org",
            recorded_by=specialist,
        )
        conversation(
            trajectory=t,
            author=specialist,
            kind="coaching",
            summary="x",
            visibility=Visibility.EMPLOYER,
        )
        Task.objects.create(trajectory=t, title="t", due_date=today - timedelta(days=1))
    return {"admin": admin, "specialist": specialist, "contact": contact}


DASHBOARDS = {
    "employer dashboard": ("contact", reverse("dashboards:home")),
    "employer dashboard for staff": ("admin", reverse("dashboards:employer")),
    "specialist's day": ("specialist", reverse("dashboards:home")),
    "agency's day": ("admin", reverse("dashboards:home")),
    "agency overview": ("admin", reverse("dashboards:agency_overview")),
    "billing": ("admin", reverse("dashboards:billing")),
    "inbox": ("contact", reverse("trajecten:inbox")),
}
MAX_DASHBOARD_QUERIES = 26


def _count(client, who, url) -> int:
    client.force_login(who)
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


@pytest.mark.parametrize("name", DASHBOARDS)
def test_dashboards_use_a_constant_number_of_queries_for_5_and_200_trajectories(
    db, client, name, django_assert_max_num_queries
):
    role, url = DASHBOARDS[name]
    small = _count(client, world(5)[role], url)
    large_world = world(200)
    large = _count(client, large_world[role], url)
    assert small == large
    with django_assert_max_num_queries(MAX_DASHBOARD_QUERIES):
        client.get(url)


@time_machine.travel(datetime(2026, 11, 24, 12, 0), tick=False)
def test_a_changed_sickness_case_or_extension_shows_at_once_despite_the_cache(
    cast, login, on_commit
):
    today = date(2026, 11, 24)
    _case(cast.traj_x1, first_sick_day=today - timedelta(weeks=88))
    client = login(cast.contact_x1)
    html = page(client)
    assert "De WIA-aanvraag moet uiterlijk" in html
    assert "(nog 15 weken tot week 104)" in html

    def record_wia_and_extend():
        trajecten_services.sickness_case_update(
            actor=cast.specialist_a, trajectory=cast.traj_x1, wia_application_date=today
        )
        trajecten_services.extension_add(
            actor=cast.specialist_a, trajectory=cast.traj_x1, kind="voluntary", weeks=10,
            decided_on=today,
        )  # fmt: skip

    on_commit(record_wia_and_extend)
    html = page(client)
    assert "De WIA-aanvraag moet uiterlijk" not in html
    assert "(nog 25 weken tot week 104)" in html


# --- After a change: the changed trajectories again, the figures as if computed afresh --------


def _live_part(html: str) -> str:
    """The live part of a dashboard without what differs from render to render (the poll's
    token, CSRF tokens)."""
    part = html[html.index('<div id="live"') :]
    part = re.sub(r"v=[0-9.]+", "v=", part)
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", part)


@pytest.fixture
def recomputed(monkeypatch):
    """The ``ids`` of every computation of dashboard shares (``None``: all of them)."""
    calls = []
    real = dashboards._shares

    def spy(**kwargs):
        calls.append(kwargs.get("ids"))
        return real(**kwargs)

    monkeypatch.setattr(dashboards, "_shares", spy)
    return calls


@time_machine.travel(datetime(2026, 11, 24, 12, 0), tick=False)
def test_after_changes_only_those_trajectories_are_recomputed_and_the_figures_equal_a_fresh_count(
    cast, login, on_commit, recomputed
):
    client = login(cast.contact_x_all)
    before = _live_part(page(client))
    assert recomputed == [None]  # the first view counts everything

    employee = Client()
    employee.force_login(cast.employee_x1)
    assert on_commit(record_application, employee, cast.traj_x1).status_code == 302
    new = on_commit(
        trajecten_services.trajectory_refer, actor=cast.contact_x_all, first_name="Xander",
        last_name="Nieuw", guidance_language="nl", legal_entity=cast.x2,
        first_sick_day=date(2026, 6, 1), product=Product.objects.filter(
            agency=cast.agency_a).first(),
    )  # fmt: skip
    on_commit(
        trajecten_services.trajectory_close, actor=cast.specialist_a2, trajectory=cast.traj_x2,
        closing_reason="new_job", end_date=date(2026, 11, 24),
    )  # fmt: skip
    after = _live_part(page(client))
    assert recomputed[1:] == [sorted([cast.traj_x1.pk, cast.traj_x2.pk, new.pk])]
    assert after != before and "Xander" in after

    cache.clear()  # the same page counted from nothing
    assert _live_part(page(client)) == after
    assert recomputed[2:] == [None]


def test_a_change_that_names_no_trajectory_counts_everything_again(cast, login, recomputed):
    client = login(cast.contact_x_all)
    page(client)
    live.bump(live.live_keys(cast.contact_x_all, "employer"))  # no trajectory named
    page(client)
    assert recomputed == [None, None]


def test_a_narrowed_scope_never_shows_figures_counted_over_the_wider_one(cast, login, recomputed):
    contact = EmployerContactFactory(employer=cast.employer_x)
    enrol_totp(contact.user)
    client = login(contact.user)
    assert "X2 BV" in page(client)
    contact.all_legal_entities = False
    contact.save()
    contact.legal_entities.set([cast.x1])  # no trajectory changed, no version raised
    html = page(client)
    assert "X2 BV" not in html and "Xenia" not in html
    assert recomputed == [None, None]


def test_the_change_record_answers_only_what_it_knows_for_certain(settings):
    keys = [live.employer_key(10_001), live.agency_key(10_002)]
    start = live.token(keys)
    live.bump(keys, [5, 3])
    live.bump(keys[:1], [7])
    now = live.token(keys)
    assert live.changed_trajectories(keys, start, now) == {3, 5, 7}
    assert live.changed_trajectories(keys, now, now) == set()
    live.bump(keys)  # a raise without trajectories: nobody can say what changed
    assert live.changed_trajectories(keys, now, live.token(keys)) is None
    now = live.token(keys)
    live.bump(keys, range(live.MAX_RECORDED_IDS + 1))  # a bulk write records nothing
    assert live.changed_trajectories(keys, now, live.token(keys)) is None
    now = live.token(keys)
    live.bump(keys, [1])
    cache.delete(f"{keys[1]}:changed:{int(live.token(keys).split('.')[1])}")  # evicted
    assert live.changed_trajectories(keys, now, live.token(keys)) is None
    assert live.changed_trajectories(keys, "nonsense", now) is None
    assert live.changed_trajectories(keys, now.split(".")[0], now) is None
    later = ".".join(str(int(v) + live.MAX_CHANGES + 1) for v in now.split("."))
    assert live.changed_trajectories(keys, now, later) is None  # too far apart, or reseeded
    assert live.changed_trajectories(keys, later, now) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's server-side binding")
def test_a_bulk_write_announces_any_number_of_trajectories(
    cast, django_capture_on_commit_callbacks
):
    """With prepared statements (``DATABASE_PREPARED_STATEMENTS``: server-side binding) a
    statement takes at most 65,535 parameters; the dispatcher's first catch-up on the platform
    announced 281,000 new drafts at once, and failed on it."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    keys = {
        "x": live.live_keys(cast.contact_x_all, "employer"),
        "z": live.live_keys(cast.contact_z, "employer"),
        "y": live.live_keys(cast.contact_y, "employer"),
    }
    before = {name: live.token(k) for name, k in keys.items()}
    many = [cast.traj_x1.pk, cast.traj_z1.pk, *range(10**9, 10**9 + 70_000)]
    connection.ensure_connection()
    raw = connection.connection
    factory, raw.cursor_factory = raw.cursor_factory, ServerBindingCursor
    try:
        with django_capture_on_commit_callbacks(execute=True):
            live.bump_trajectories(many)
    finally:
        raw.cursor_factory = factory
    after = {name: live.token(k) for name, k in keys.items()}
    assert after["x"] != before["x"] and after["z"] != before["z"]  # both agencies' employers
    assert after["y"] == before["y"]  # an employer none of them belongs to


class _OldShape:
    """Stands for a class of an earlier version of the code, gone after an upgrade."""


def test_a_cache_entry_an_older_version_wrote_is_computed_again(cast, login, caplog):
    """A rolling upgrade: the old web workers cached figures whose classes the new code no
    longer has. The page is right, not a 500 (it was one, once, on the benchmark's Redis)."""
    import sys

    client = login(cast.contact_x_all)
    expected = _live_part(page(client))
    keys = [key for key in cache._cache if ":dashboard:" in key]  # LocMem: its own keys
    assert keys
    for key in keys:
        cache._cache[key] = __import__("pickle").dumps(_OldShape())
    module = sys.modules[__name__]
    del module._OldShape  # the class is gone: unpickling fails with AttributeError
    try:
        assert _live_part(page(client)) == expected
    finally:
        module._OldShape = _OldShape_kept
    assert "Unreadable dashboard cache entry" in caplog.text


_OldShape_kept = _OldShape


# --- Figures agree with the rows they summarise -------------------------------------------------


def _bv_figures(html: str, bv: str) -> tuple[int, int, int]:
    """Lopend, Verwezen, Beëindigd of one BV's row (or the total row) of the employer table."""
    row = re.search(rf">{re.escape(bv)}(?:</a>)?</th>(.*?)</tr>", html, re.S).group(1)
    return tuple(int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", row)[:3])


def test_the_employer_figures_per_bv_add_up_to_the_trajectories_listed(cast, login):
    TrajectoryFactory(legal_entity=cast.x1, specialist=cast.specialist_a, referred=True,
                      employee=EmployeeFactory(agency=cast.agency_a, first_name="Ivo"))  # fmt: skip
    html = page(login(cast.contact_x_all))
    for bv in (cast.x1, cast.x2):
        trajectories = Trajectory.objects.filter(legal_entity=bv)
        running, referred, ended = _bv_figures(html, bv.name)
        assert running == trajectories.filter(status="active").count(), bv.name
        assert referred == trajectories.filter(status="referred").count(), bv.name
        assert running + referred + ended == trajectories.count(), bv.name
        for t in trajectories:  # every trajectory counted is a row of the list below
            assert f'id="t-{t.uuid}"' in html
    total = _bv_figures(html, "Alle bv's")
    assert sum(total) == Trajectory.objects.filter(legal_entity__employer=cast.employer_x).count()


def test_the_specialists_figures_equal_the_lists_below_them(cast, login):
    today = timezone.localdate()
    for n in range(3):
        Task.objects.create(
            trajectory=cast.traj_x1, title=f"Taak {n}", due_date=today - timedelta(1)
        )
    Assignment.objects.create(trajectory=cast.traj_x1, title="Opdracht", status="open",
                              due_date=today - timedelta(days=2))  # fmt: skip
    Report.objects.create(agency=cast.agency_a, trajectory=cast.traj_x1, kind="progress",
                          number=1, period_start=today - timedelta(days=90), period_end=today,
                          due_date=today + timedelta(days=5))  # fmt: skip
    html = page(login(cast.specialist_a))
    overdue = re.search(
        r'figure-value">(\d+)</span> verlopen (?:taken en opdrachten|taak of opdracht)', html
    )
    reports = re.search(r'figure-value">(\d+)</span> rapportages? te schrijven', html)
    listed = re.search(r'id="h-overdue".*?</section>', html, re.S).group()
    assert int(overdue.group(1)) == listed.count("<li>") == 4
    listed = re.search(r'id="h-reports".*?</section>', html, re.S).group()
    assert int(reports.group(1)) == listed.count("<li>") == 1


def test_a_figure_counts_every_row_also_past_the_lists_cap(cast, login):
    from dashboards.selectors import LIST_LIMIT

    today = timezone.localdate()
    Task.objects.bulk_create(
        Task(trajectory=cast.traj_x1, agency=cast.agency_a, title=f"Taak {n}",
             due_date=today - timedelta(days=1))
        for n in range(LIST_LIMIT + 3)
    )  # fmt: skip
    html = page(login(cast.specialist_a))
    overdue = re.search(
        r'figure-value">(\d+)</span> verlopen (?:taken en opdrachten|taak of opdracht)', html
    )
    listed = re.search(r'id="h-overdue".*?</section>', html, re.S).group()
    assert int(overdue.group(1)) == LIST_LIMIT + 3
    assert listed.count("<li>") == LIST_LIMIT


def test_contacts_with_the_same_bvs_share_the_count_and_no_one_else_does(
    cast, login, on_commit, recomputed
):
    """The first HR contact to look after a change counts it; a colleague with the same BVs
    reads that count (and sees the same figures); a contact with fewer BVs, of another
    employer or the agency's staff never read it."""
    colleague = EmployerContactFactory(employer=cast.employer_x)
    enrol_totp(colleague.user)
    first, second = login(cast.contact_x_all), login(colleague.user)
    assert _live_part(page(first)) == _live_part(page(second))
    assert recomputed == [None]

    employee = Client()
    employee.force_login(cast.employee_x1)
    assert on_commit(record_application, employee, cast.traj_x1).status_code == 302
    after = _live_part(page(first))
    assert _live_part(page(second)) == after
    assert recomputed == [None, [cast.traj_x1.pk]]

    for other in (cast.contact_x1, cast.contact_y, cast.admin_a):
        page(login(other), reverse("dashboards:employer"))
    assert recomputed[2:] == [None, None, None]


# --- The rendered live region, shared from the cache --------------------------------------------


@pytest.fixture
def rendered(monkeypatch):
    """How often the employer dashboard's live region was built and rendered."""
    calls = []
    real = dashboards.employer_dashboard

    def spy(**kwargs):
        calls.append(kwargs["user"])
        return real(**kwargs)

    monkeypatch.setattr(dashboards, "employer_dashboard", spy)
    return calls


def _listed(user) -> list[int]:
    from portal.constants import AuditAction
    from portal.models import AuditEvent

    events = AuditEvent.objects.filter(action=AuditAction.LIST, actor=user).order_by("id")
    return [event.details["count"] for event in events]


def test_the_live_region_is_rendered_once_per_change_and_every_view_is_still_audited(
    cast, login, on_commit, rendered
):
    """An employer's HR people and every reload without a change read the rendered region;
    a change renders it again, with the change in it."""
    colleague = EmployerContactFactory(employer=cast.employer_x)
    enrol_totp(colleague.user)
    first, second = Client(), Client()
    first.force_login(cast.contact_x_all)
    second.force_login(colleague.user)
    html = _live_part(page(first))
    assert _live_part(page(second)) == html == _live_part(page(first))
    assert rendered == [cast.contact_x_all]
    assert _listed(cast.contact_x_all) == [2, 2] and _listed(colleague.user) == [2]

    employee = Client()
    employee.force_login(cast.employee_x1)
    assert on_commit(record_application, employee, cast.traj_x1).status_code == 302
    after = _live_part(page(second))
    assert after != html and 'class="count">1</span>' in after
    assert _live_part(page(first)) == after
    assert rendered == [cast.contact_x_all, colleague.user]


def test_the_cached_region_differs_per_filter_page_language_and_viewer(cast, login, rendered):
    client = login(cast.contact_x_all)
    everything = page(client)
    active_only = page(client, status="ended")
    assert "Xavier" in everything and "Xavier" not in active_only
    cast.contact_x_all.language = "en"
    cast.contact_x_all.save(update_fields=["language"])
    in_english = _live_part(page(client))
    assert "Applications per week" in in_english
    assert "Applications per week" not in _live_part(everything)
    narrower = page(login(cast.contact_x1))
    assert "Xavier" in narrower and "Xenia" not in narrower
    assert len(rendered) == 4


@pytest.mark.parametrize(
    "query",
    [
        {"unknown": "1"},
        {"page": "abc"},
        {"legal_entity": "not-a-bv"},
        {"page": "99999"},
        {"status": ["active", "ended"]},
    ],
)
def test_only_a_valid_filter_with_a_plain_page_number_is_kept(cast, login, rendered, query):
    """Any other query string is rendered as asked and not kept, so no one fills the cache
    with variants of a page."""
    client = login(cast.contact_x_all)
    first = client.get(HOME, query)
    assert first.status_code == 200
    client.get(HOME, query)
    assert len(rendered) == 2
    assert not [key for key in cache._cache if ":dashboard:live:" in key]  # LocMem's own keys


def _rename_bv(cast):
    services.legal_entity_save(
        actor=cast.admin_a, employer=cast.employer_x, legal_entity=cast.x1, name="Hernoemd BV"
    )
    return "Hernoemd BV"


def _rename_specialist(cast):
    team.member_update(
        actor=cast.admin_a, member=cast.specialist_a, first_name="Hernoemde", last_name="Coach"
    )
    return "Hernoemde Coach"


@pytest.mark.parametrize("change", [_rename_bv, _rename_specialist])
def test_what_no_trajectory_change_announces_still_reaches_an_open_dashboard(
    cast, login, on_commit, change
):
    """A BV's or a specialist's name is in the cached region: their services raise the
    version, so the next poll brings them."""
    client = login(cast.contact_x_all)
    before = page(client)
    poll = _poll_url(before)
    assert client.get(poll, **HTMX).status_code == 204
    shown = on_commit(change, cast)
    assert shown not in before
    changed = client.get(poll, **HTMX)
    assert changed.status_code == 200
    assert shown in changed.content.decode()


def test_an_agency_setting_refreshes_every_dashboard_of_the_agency(cast, login, on_commit):
    client = login(cast.contact_y)
    poll = _poll_url(page(client))
    on_commit(services.agency_settings_update, actor=cast.admin_a, contact_alert_days=9)
    assert client.get(poll, **HTMX).status_code == 200


def test_a_stand_in_sees_the_absent_colleagues_trajectories_at_once(cast, login, on_commit):
    client = login(cast.specialist_a2)
    url = reverse("dashboards:employer")
    assert "Xavier" not in page(client, url)
    today = timezone.localdate()
    on_commit(
        team.stand_in_create, actor=cast.admin_a, absent=cast.specialist_a,
        stand_in=cast.specialist_a2, starts_on=today, ends_on=today + timedelta(days=7),
    )  # fmt: skip
    assert "Xavier" in page(client, url)


def _filter_lists(client) -> tuple[str, int]:
    """The dashboard's filter form, and how many queries read its phase or specialist list."""
    with CaptureQueriesContext(connection) as queries:
        html = page(client)
    form = html.split('class="form filters"', 1)[1].split("</form>", 1)[0]
    lists = ('ORDER BY "portal_phase"."position"', 'ORDER BY "portal_user"."last_name"')
    return form, sum(any(o in q["sql"] for o in lists) for q in queries.captured_queries)


def test_the_filter_lists_are_kept_until_a_phase_or_a_specialist_changes(cast, login, on_commit):
    client = login(cast.contact_x_all)
    form, read = _filter_lists(client)
    assert ">Profiel</option>" in form and read == 2
    form, read = _filter_lists(client)
    assert ">Profiel</option>" in form and read == 0  # a reload reads them from the cache
    on_commit(_rename_specialist, cast)
    form, read = _filter_lists(client)
    assert ">Hernoemde Coach</option>" in form and read == 2
    on_commit(services.agency_settings_update, actor=cast.admin_a, phase_set=PhaseSet.FOUR_PHASES)
    form, _read = _filter_lists(client)
    assert ">Profiel</option>" not in form
    assert f">{DEFAULT_PHASES[PhaseSet.FOUR_PHASES][1]}</option>" in form


def test_a_contacts_employer_is_read_once_per_request(cast, login):
    """The dashboard and the header's unread count both need the contact's live keys."""
    client = login(cast.contact_x_all)
    page(client)
    with CaptureQueriesContext(connection) as queries:
        page(client)
    employers = 'FROM "portal_employer" INNER JOIN "portal_employercontact"'
    assert sum(employers in q["sql"] for q in queries.captured_queries) == 1


def test_a_contacts_bvs_are_read_once_per_request_and_a_narrowed_scope_holds_on_the_next(
    cast, login
):
    """Every query of a contact's page is scoped to their BVs: the ids are read once and the
    queries name them, instead of each joining the agency's contacts again."""
    client = login(cast.contact_x_all)
    with CaptureQueriesContext(connection) as queries:
        html = page(client)  # a first view: figures, rows, filters, header all read
    scope = re.compile(r'all_legal_entities" AND')
    assert sum(bool(scope.search(q["sql"])) for q in queries.captured_queries) == 1
    assert "Xavier" in html and "Xenia" in html

    contact = EmployerContact.objects.get(user=cast.contact_x_all)
    contact.all_legal_entities = False
    contact.save(update_fields=["all_legal_entities"])
    contact.legal_entities.set([cast.x1])
    html = page(client)
    assert "Xavier" in html and "Xenia" not in html


@pytest.fixture
def rows_rendered():
    """The trajectories whose row of the employer dashboard was rendered, in order."""
    from django.test.signals import template_rendered

    rows = []

    def seen(sender, template, context, **kwargs):
        if template.name == "dashboards/_dashboard_employer_row.html":
            rows.append(context["t"].pk)

    template_rendered.connect(seen)
    yield rows
    template_rendered.disconnect(seen)


@time_machine.travel(datetime(2026, 11, 24, 12, 0), tick=False)
def test_after_a_change_only_that_trajectorys_row_is_rendered_again(
    cast, login, on_commit, rows_rendered
):
    """The rows are kept from one version of the dashboard to the next; a change renders the
    changed trajectory's row again and the page is what a fresh rendering gives."""
    client = login(cast.contact_x_all)
    page(client)
    listed = set(rows_rendered)
    assert cast.traj_x1.pk in listed and len(listed) == len(rows_rendered) >= 2

    employee = Client()
    employee.force_login(cast.employee_x1)
    assert on_commit(record_application, employee, cast.traj_x1).status_code == 302
    rows_rendered.clear()
    after = _live_part(page(client))
    assert rows_rendered == [cast.traj_x1.pk]
    row = after[after.index(f'id="t-{cast.traj_x1.uuid}"') :]
    assert row[: row.index("</tr>")].count('class="count">1</span>') == 1

    cache.clear()  # the same page rendered from nothing
    assert _live_part(page(client)) == after

    rows_rendered.clear()
    on_commit(_rename_bv, cast)  # names no trajectory: every row again
    renamed = _live_part(page(client))
    assert sorted(rows_rendered) == sorted(listed)
    assert "X1 BV" not in renamed and "Hernoemd BV" in renamed
