"""Demo content for a trajectory's file, so that `make run` shows a file that lives."""

from datetime import datetime, time, timedelta

from django.utils import timezone

from portal.models import TimeCategory
from trajecten.models import (
    ActionTemplate,
    ActionTemplateItem,
    Appointment,
    Assignment,
    ConversationReport,
    PersonProfile,
    PhaseChange,
    Placement,
    SearchFunction,
    SearchProfile,
    TimeEntry,
    Training,
    WorkCapacity,
)
from trajecten.services import action_list_apply

ACTION_LIST = [
    ("Intakegesprek en kennismaking", 1, 1, "specialist"),
    ("Loopbaantest afnemen", 1, 4, "employee"),
    ("Cv en sollicitatiebrief klaar", 3, 1, "employee"),
    ("Ingeschreven bij twee uitzendbureaus", 4, 1, "employee"),
    ("Zoekprofiel afgestemd met werknemer", 4, 5, "specialist"),
    ("Voortgangsrapportage 3 maanden", 13, 1, "specialist"),
]


def demo_action_list(agency) -> ActionTemplate:
    template, created = ActionTemplate.objects.get_or_create(
        agency=agency, name="Standaard 2e spoor"
    )
    if created:
        for title, week, day, performer in ACTION_LIST:
            ActionTemplateItem.objects.create(
                template=template, title=title, week=week, day=day, performer=performer
            )
    return template


def fill_file(trajectory, specialist, template) -> None:
    """Idempotent: a file that already has conversations is left alone."""
    if trajectory.start_date is None or trajectory.conversationreports.exists():
        return
    start = trajectory.start_date
    tz = timezone.get_current_timezone()
    _wvp_steps(trajectory)
    _phase_route(trajectory, specialist)
    name = trajectory.employee.first_name
    conversations = [
        (0, "intake", 75, "agency", False,
         f"Kennismaking met {name}. Achtergrond, verwachtingen en het verloop van het traject "
         "besproken. Gemotiveerd om ander werk te vinden.", "Loopbaantest invullen voor week 2."),
        (14, "coaching", 60, "employer", False,
         "Uitslag loopbaantest besproken: affiniteit met plannen, klantcontact en logistiek. "
         "Zoekrichtingen verkend.", "Cv bijwerken; twee uitzendbureaus benaderen."),
        (28, "coaching", 45, "employee", True,
         "Energie wisselend; afspraken over opbouw van uren in functionele termen gemaakt.",
         "Volgende week korter gesprek."),
        (42, "three_way", 60, "employer", False,
         "Driegesprek met werkgever over voortgang en zoekprofiel. Werkgever akkoord met "
         "verbreding naar planning en klantenservice.", "Zoekprofiel versie 2 vastleggen."),
    ]  # fmt: skip
    for offset, kind, minutes, visibility, medical, summary, agreements in conversations:
        day = start + timedelta(days=offset)
        if day > timezone.localdate():
            continue
        ConversationReport.objects.create(
            trajectory=trajectory, date=day, kind=kind, duration_minutes=minutes,
            visibility=visibility, contains_medical=medical, summary=summary,
            agreements=agreements, participants=f"{name}, {specialist.get_full_name()}",
            author=specialist,
        )  # fmt: skip
    today = timezone.localdate()
    for days, subject in [(2, "Coachingsgesprek"), (9, "Sollicitatietraining")]:
        begins = datetime.combine(today + timedelta(days=days), time(10, 0), tzinfo=tz)
        Appointment.objects.create(
            trajectory=trajectory, subject=subject, starts_at=begins,
            ends_at=begins + timedelta(hours=1), location="Kantoor Utrecht, Catharijnesingel 1",
            with_whom=specialist.get_full_name(),
        )  # fmt: skip
    Assignment.objects.create(
        trajectory=trajectory, title="Drie vacatures zoeken in de logistiek",
        due_date=today + timedelta(days=5),
        description="Kies vacatures die passen bij je zoekprofiel en neem ze mee naar het gesprek.",
    )  # fmt: skip
    Assignment.objects.create(
        trajectory=trajectory,
        title="LinkedIn-profiel bijwerken",
        due_date=today - timedelta(days=3),
    )
    Training.objects.create(
        trajectory=trajectory, name="Sollicitatietraining", provider="Spoorwerk Academie",
        start_date=start + timedelta(days=21), end_date=start + timedelta(days=35),
        status="completed",
    )  # fmt: skip
    PersonProfile.objects.create(
        trajectory=trajectory, education="MBO 4 Logistiek", work_history="12 jaar chauffeur",
        competences="Klantgericht, punctueel, zelfstandig", wishes="Regelmatige werktijden",
    )  # fmt: skip
    WorkCapacity.objects.create(
        trajectory=trajectory, advice_author="Bedrijfsarts A. Jansen",
        advice_date=start - timedelta(days=20),
        possibilities="Zittend en afwisselend werk; klantcontact.",
        limitations="Niet langdurig rijden; niet tillen boven 10 kg.",
        hours_per_day=6, hours_per_week=30,
    )  # fmt: skip
    for version, sectors, functions in [
        (1, "Logistiek", [("Planner", "Ervaring met routes en klanten; zittend werk.")]),
        (2, "Logistiek, Klantenservice", [
            ("Planner", "Ervaring met routes en klanten; zittend werk."),
            ("Medewerker klantenservice", "Klantgericht; past binnen 6 uur per dag."),
            ("Magazijnadministrateur", "Kent de logistiek; geen zwaar tillen."),
        ]),
    ]:  # fmt: skip
        profile = SearchProfile.objects.create(
            trajectory=trajectory, version=version, sectors=sectors, region="Utrecht en Amersfoort",
            travel_minutes=45, hours_per_week=30, wage_indication="€ 2.800 – € 3.200 bruto",
            agreed_with_employee=version == 2, author=specialist,
            change_note="" if version == 1 else "Verbreed na driegesprek",
        )  # fmt: skip
        for title, reason in functions:
            SearchFunction.objects.create(profile=profile, title=title, reason=reason)
    categories = list(TimeCategory.objects.filter(agency=trajectory.agency))
    for i in range(6):
        TimeEntry.objects.create(
            trajectory=trajectory, date=start + timedelta(days=7 * i), minutes=60 + 15 * i,
            category=categories[i % len(categories)], user=specialist,
        )  # fmt: skip
    action_list_apply(trajectory=trajectory, template=template, actor=specialist)
    if trajectory.is_ended:
        Placement.objects.create(
            trajectory=trajectory, new_employer="Bakker Logistiek BV", function="Planner",
            start_date=trajectory.end_date, hours_per_week=30, contract_type="employment",
            aftercare_until=trajectory.end_date + timedelta(days=90),
        )  # fmt: skip


def _wvp_steps(trajectory) -> None:
    """The employer's WvP steps, done on time up to today."""
    case = trajectory.sickness_case
    first, today = case.first_sick_day, timezone.localdate()
    for field, days in [
        ("probleemanalyse_date", 38),
        ("plan_van_aanpak_date", 50),
        ("notification_42_date", 290),
        ("first_year_evaluation_date", 355),
    ]:
        day = first + timedelta(days=days)
        if day <= today and not getattr(case, field):
            setattr(case, field, day)
    case.save()


def _phase_route(trajectory, specialist) -> None:
    """Dated phase changes up to the trajectory's current phase."""
    if trajectory.phase is None:
        return
    for n, phase in enumerate(
        trajectory.agency.phases.filter(position__lte=trajectory.phase.position)
    ):
        PhaseChange.objects.create(
            trajectory=trajectory, phase=phase, changed_by=specialist,
            started_on=trajectory.start_date + timedelta(days=21 * n),
        )  # fmt: skip


DEMO_APPLICATIONS = [
    # days ago, kind, organisation, vacancy, status history
    (60, "written_application", "PostNL", "Planner distributie", ["sent", "rejected"]),
    (50, "agency_registration", "Randstad", "", ["sent"]),
    (45, "open_application", "Bakker Logistiek", "", ["sent", "invited", "second_interview"]),
    (30, "reading_vacancies", "", "", ["sent"]),
    (20, "written_application", "Jumbo DC", "Medewerker planning", ["sent", "no_response"]),
    (12, "phone_application", "DHL Parcel", "Klantenservice", ["sent", "invited"]),
    (4, "written_application", "Eneco", "Medewerker klantenservice", ["sent"]),
]

DEMO_VACANCIES = [
    ("Planner transport", "DHL Supply Chain", "Utrecht", 32, "Logistiek"),
    ("Medewerker klantenservice", "Eneco", "Utrecht", 28, "Klantcontact"),
    ("Magazijnadministrateur", "Bol.com", "Nieuwegein", 32, "Logistiek"),
    ("Chauffeur C", "Van Gansewinkel", "Amersfoort", 40, "Transport"),
    ("Medewerker planning", "Jumbo DC", "Veenendaal", 30, "Logistiek"),
    ("Verpleegkundige", "UMC Utrecht", "Utrecht", 36, "Zorg"),
]


def demo_applications(trajectory, employee_user) -> None:
    """A lived-in application log (idempotent) and a vacancy board per agency."""
    from sollicitaties.models import (
        ApplicationActivity,
        StatusChange,
        TempAgencyRegistration,
        Vacancy,
    )

    for title, organisation, place, hours, category in DEMO_VACANCIES:
        Vacancy.objects.get_or_create(
            agency=trajectory.agency, title=title, organisation=organisation,
            defaults={"place": place, "hours_per_week": hours, "function_category": category},
        )  # fmt: skip
    if trajectory.start_date is None or employee_user is None:
        return
    if ApplicationActivity.objects.filter(trajectory=trajectory).exists():
        return
    today = timezone.localdate()
    for days, kind, organisation, title, history in DEMO_APPLICATIONS:
        day = today - timedelta(days=days)
        if day < trajectory.start_date:
            continue
        activity = ApplicationActivity.objects.create(
            trajectory=trajectory, date=day, kind=kind, organisation=organisation,
            vacancy_title=title, status=history[-1], recorded_by=employee_user,
            recorded_by_role="employee", channel="vacancy_site" if title else "",
            notes="Leuk gesprek gehad, salaris iets lager" if "second_interview" in history else "",
        )  # fmt: skip
        for i, status in enumerate(history):
            StatusChange.objects.create(
                activity=activity, status=status, date=day + timedelta(days=3 * i),
                changed_by=employee_user,
            )  # fmt: skip
    TempAgencyRegistration.objects.get_or_create(
        trajectory=trajectory, agency_name="Randstad",
        defaults={"date": max(trajectory.start_date, today - timedelta(days=50))},
    )  # fmt: skip


def demo_reports(agency) -> None:
    """Drafts that have fallen due, and one signed progress report with its PDF."""
    from rapportages import services as reports
    from rapportages.models import Report
    from trajecten.services import renewals_record

    reports.reports_schedule(today=timezone.localdate())
    renewals_record(today=timezone.localdate())
    report = (
        Report.objects.filter(agency=agency, kind="progress", number=1, status="draft")
        .select_related("trajectory")
        .order_by("trajectory__employee__last_name")
        .first()
    )
    if report is None:
        return
    report.progress = (
        "De werknemer werkt gemotiveerd aan het traject. Het zoekprofiel is na het driegesprek "
        "verbreed naar planning en klantenservice; er lopen twee sollicitaties met een gesprek."
    )
    report.obstacles = "Reistijd boven 45 minuten is niet haalbaar; daarom regio Utrecht."
    report.evaluation = "De inspanningen zijn voldoende; de sollicitatienorm wordt bijna gehaald."
    report.next_steps = "Sollicitatietraining afronden, twee gesprekken voorbereiden."
    report.save()
    signer = report.trajectory.memberships.filter(role="primary").first().user
    reports.report_sign(report=report, actor=signer)


def demo_messages(agency) -> None:
    """A short thread between the employer and the specialist on the first trajectory with an
    employer contact that sees it (once: the thread is never rewritten)."""
    from portal import access
    from trajecten import messaging
    from trajecten.models import Message

    if Message.objects.filter(agency=agency).exists():
        return
    for trajectory in agency.trajectories.filter(status="active").order_by("id"):
        people = list(access.message_participants(trajectory))
        contact = next((u for u in people if u.role == "employer_contact"), None)
        specialist = next((u for u in people if u.role == "specialist"), None)
        if contact and specialist:
            break
    else:
        return
    messaging.message_post(
        trajectory=trajectory,
        author=contact,
        body="Hoe staat het met de sollicitaties? Wij kunnen eventueel een proefplaatsing bij "
        "een zusterbedrijf aanbieden.",
    )
    messaging.message_post(
        trajectory=trajectory,
        author=specialist,
        body="Dank voor het aanbod. Ik bespreek de proefplaatsing donderdag met de werknemer en "
        "laat het u daarna weten.",
    )
