"""Demo content for a trajectory's file, so that `make run` shows a file that lives."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import F
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
    Task,
    TimeEntry,
    Training,
    Trajectory,
    WorkCapacity,
)
from trajecten.services import action_list_apply
from trajecten.workdays import add_working_days, is_working_day


@dataclass(frozen=True)
class DemoStory:
    """What one agency's files are about: its region, its clients' trades, its own training
    house, action list and vacancy board, so the second agency has a world of its own rather
    than a copy of the first."""

    office: str
    academy: str
    region: str
    sector_phrase: str  # "in de logistiek": where the employee looks for work
    test_result: str
    education: str
    work_history: str
    competences: str
    possibilities: str
    limitations: str
    wage: str
    profiles: list  # [(sectors, [(function, reason)])] for version 1 and 2
    action_list: list  # [(title, week, day, performer)]
    vacancies: list  # [(title, organisation, place, hours, category)]
    applications: list  # [(kind, organisation, vacancy)] in turn
    placement: tuple  # (new employer, function)
    employee_view: str  # the employee's remark on their first progress report
    three_way: str  # what the three-way conversation agreed
    jobs: tuple = ()  # the employees' jobs at their own employer, in turn
    # Where one employee's file shows a case of its own (keyed in TRADES):
    job: str = ""  # their job at their own employer, when not the agency's next in ``jobs``
    sick_days_before_start: int = 0  # how long they were sick when the 2e spoor started
    late_start: str = ""  # why it started after the latest date (a format of the referral)
    wage_sanction: tuple = ()  # (weeks, decided in WvP week, UWV's reason): a loonsanctie
    # The employee disagrees with their first progress report: (why, what the next report
    # says was agreed about it).
    disagrees: tuple = ()
    # The quiet weeks of the sollicitatietraining (one norm period honestly below the norm);
    # the one clean file of the RIV check has none.
    quiet: bool = True
    # A new FML this many days ago, after the search profile in force: the RIV check asks
    # for a new version of the profile (``demo_riv_cases``).
    new_fml_days_ago: int = 0

    @property
    def temp_agency(self) -> str:
        """The employment agency the employee registered with: the one in their own log."""
        return next(org for kind, org, _ in self.applications if kind == "agency_registration")


SPOORWERK = DemoStory(
    office="Kantoor Utrecht, Catharijnesingel 1",
    academy="Spoorwerk Academie",
    region="Utrecht en Amersfoort",
    sector_phrase="in de logistiek",
    test_result="plannen, klantcontact en logistiek",
    education="MBO 4 Logistiek",
    work_history="12 jaar chauffeur",
    competences="Klantgericht, punctueel, zelfstandig",
    possibilities="Zittend en afwisselend werk; klantcontact.",
    limitations="Niet langdurig rijden; niet tillen boven 10 kg.",
    wage="€ 2.800 – € 3.200 bruto",
    profiles=[
        ("Logistiek", [("Planner", "Ervaring met routes en klanten; zittend werk.")]),
        (
            "Logistiek, Klantenservice",
            [
                ("Planner", "Ervaring met routes en klanten; zittend werk."),
                ("Medewerker klantenservice", "Klantgericht; past binnen 6 uur per dag."),
                ("Magazijnadministrateur", "Kent de logistiek; geen zwaar tillen."),
            ],
        ),
    ],
    action_list=[
        ("Intakegesprek en kennismaking", 1, 1, "specialist"),
        ("Loopbaantest afnemen", 1, 4, "employee"),
        ("Cv en sollicitatiebrief klaar", 3, 1, "employee"),
        ("Ingeschreven bij twee uitzendbureaus", 4, 1, "employee"),
        ("Zoekprofiel afgestemd met werknemer", 4, 5, "specialist"),
        ("Voortgangsrapportage 3 maanden", 13, 1, "specialist"),
    ],
    vacancies=[
        ("Planner transport", "DHL Supply Chain", "Utrecht", 32, "Logistiek"),
        ("Medewerker klantenservice", "Eneco", "Utrecht", 28, "Klantcontact"),
        ("Magazijnadministrateur", "Bol.com", "Nieuwegein", 32, "Logistiek"),
        ("Chauffeur C", "Van Gansewinkel", "Amersfoort", 40, "Transport"),
        ("Medewerker planning", "Jumbo DC", "Veenendaal", 30, "Logistiek"),
        ("Verpleegkundige", "UMC Utrecht", "Utrecht", 36, "Zorg"),
    ],
    applications=[
        ("written_application", "PostNL", "Planner distributie"),
        ("agency_registration", "Randstad", ""),
        ("open_application", "Bakker Logistiek", ""),
        ("reading_vacancies", "", ""),
        ("written_application", "Jumbo DC", "Medewerker planning"),
        ("phone_application", "DHL Parcel", "Klantenservice"),
        ("written_application", "Eneco", "Medewerker klantenservice"),
        ("written_application", "Bol.com", "Magazijnadministrateur"),
        ("written_application", "Vos Logistics", "Transportplanner"),
        ("open_application", "Transport Midden BV", ""),
    ],
    placement=("Bakker Logistiek BV", "Planner"),
    employee_view=(
        "Ik herken mij in de rapportage. Het zoeken in de logistiek gaat goed; klantenservice "
        "vind ik spannend, maar ik wil het proberen. Reizen naar Amersfoort is voor mij de grens."
    ),
    three_way="Werkgever akkoord met verbreding naar planning en klantenservice.",
    jobs=(
        "Chauffeur C/E",
        "Magazijnmedewerker",
        "Planner",
        "Monteur",
        "Verzorgende IG",
        "Huishoudelijk medewerker",
    ),
)

#: Each employee's own trade, where it differs from the agency's usual story (a chauffeur's):
#: education, work history, limitations from the FML, a search profile and applications in
#: their own line of work within their capacity, and what they ended up doing. Keyed by last
#: name; ``story_for`` lays it over the agency's story.
TRADES = {
    # The company doctor reassessed Jan twelve days ago (25 hours a week where it was 30); his
    # search profile is from before it and still asks 30: the RIV check's file at risk.
    "de Vries": {"new_fml_days_ago": 12},
    "Kowalski": {  # Magazijnmedewerker at Van Dijk Logistiek: logistics behind a desk
        # The clean file of the RIV check: every step in time, the norm met in every period.
        "quiet": False,
        "test_result": "voorraad, administratie en nauwkeurig werken",
        "education": "MBO 2 Logistiek medewerker (heftruckcertificaat)",
        "work_history": "14 jaar magazijnmedewerker en heftruckchauffeur",
        "competences": "Nauwkeurig, betrouwbaar, houdt overzicht in drukte",
        "possibilities": "Administratief werk met afwisseling; lopen en zitten afgewisseld.",
        "limitations": "Niet tillen boven 10 kg; niet langer dan een uur achtereen staan; "
        "geen heftruck of reachtruck meer rijden.",
        "wage": "€ 2.500 – € 2.900 bruto",
        "profiles": [
            ("Logistiek", [
                ("Voorraadadministrateur", "Kent de voorraadstromen; werk aan het bureau."),
            ]),
            ("Logistiek, Inkoop", [
                ("Voorraadadministrateur", "Kent de voorraadstromen; werk aan het bureau."),
                ("Medewerker expeditie (administratief)", "Kent laden en lossen van binnenuit; "
                 "geen tilwerk."),
                ("Assistent inkoper", "Weet wat een magazijn nodig heeft; zittend werk."),
            ]),
        ],
        "applications": [
            ("written_application", "Rhenus Logistics", "Voorraadadministrateur"),
            ("agency_registration", "Manpower", ""),
            ("open_application", "Kuehne+Nagel", ""),
            ("reading_vacancies", "", ""),
            ("written_application", "Action DC", "Medewerker voorraadbeheer"),
            ("phone_application", "Hanos", "Assistent inkoper"),
            ("written_application", "Lidl DC", "Medewerker expeditie administratie"),
            ("written_application", "Technische Unie", "Voorraadadministrateur"),
            ("open_application", "Bouwmaat Utrecht", ""),
            ("written_application", "Gamma DC", "Medewerker inkoopadministratie"),
        ],
        "vacancies": [
            ("Voorraadadministrateur", "Rhenus Logistics", "Utrecht", 32, "Logistiek"),
            ("Assistent inkoper", "Hanos", "Nieuwegein", 30, "Inkoop"),
        ],
        "three_way": "Werkgever akkoord met verbreding naar expeditie en inkoop.",
        "employee_view": "Ik herken mij in de rapportage. Ik ken het magazijn; nu leer ik het "
        "werk aan het bureau.",
    },
    "Jansen": {  # Monteur at Van Dijk Techniek: technical work without kneeling or lifting
        "sector_phrase": "in de techniek",
        "test_result": "techniek, werkvoorbereiding en klantcontact",
        "education": "MBO 3 Eerste Monteur Elektrotechniek",
        "work_history": "18 jaar monteur installatietechniek, laatste 6 jaar als eerste monteur",
        "competences": "Technisch inzicht, oplossingsgericht, rustig in contact met klanten",
        "possibilities": "Technisch denkwerk; zittend werk met afwisseling; klantcontact.",
        "limitations": "Niet knielen of hurken; niet tillen boven 10 kg; niet boven "
        "schouderhoogte werken.",
        "wage": "€ 3.100 – € 3.500 bruto",
        "profiles": [
            ("Installatietechniek", [
                ("Werkvoorbereider installatietechniek",
                 "Kent het werk van de monteur; zittend, zonder tillen."),
            ]),
            ("Installatietechniek, Technische dienstverlening", [
                ("Werkvoorbereider installatietechniek",
                 "Kent het werk van de monteur; zittend, zonder tillen."),
                ("Servicedesk technische dienst",
                 "Lost storingen op afstand op; klantcontact."),
                ("Calculator installaties", "Materiaalkennis; werk aan het bureau."),
            ]),
        ],
        "applications": [
            ("written_application", "Unica", "Werkvoorbereider"),
            ("agency_registration", "Tempo-Team Techniek", ""),
            ("open_application", "Kuijpers Installaties", ""),
            ("reading_vacancies", "", ""),
            ("written_application", "Feenstra", "Medewerker servicedesk"),
            ("phone_application", "Homij", "Calculator"),
            ("written_application", "Croonwolter&dros", "Werkvoorbereider E"),
            ("written_application", "Spie Nederland", "Planner technische dienst"),
            ("open_application", "Installatiebedrijf Midden", ""),
            ("written_application", "Breman", "Calculator W"),
        ],
        "vacancies": [
            ("Werkvoorbereider installatietechniek", "Unica", "Utrecht", 36, "Techniek"),
            ("Medewerker servicedesk", "Feenstra", "Amersfoort", 32, "Techniek"),
        ],
        "three_way": "Werkgever akkoord met verbreding naar servicedesk en calculatie.",
        "disagrees": (
            "Ik ben het niet eens met de zin dat de servicedesk bij mij past. Ik wil eerst als "
            "werkvoorbereider zoeken; daar ligt mijn ervaring.",
            "Dat is met hem besproken: werkvoorbereider is de eerste zoekrichting, servicedesk "
            "en calculatie blijven daarnaast in het zoekprofiel.",
        ),
        "employee_view": "Ik herken mij in de rapportage. Achter een bureau zitten moet ik "
        "leren, maar ik weet waar de monteurs tegenaan lopen.",
    },
    "el Amrani": {  # Verzorgende IG at Horizon Thuiszorg: care without lifting, or reception
        "sector_phrase": "in de zorg en de dienstverlening",
        "test_result": "zorg, contact met mensen en organiseren",
        "education": "MBO 3 Verzorgende IG",
        "work_history": "11 jaar verzorgende in de thuiszorg",
        "competences": "Zorgzaam, geduldig, goed in plannen van de eigen route",
        "possibilities": "Contact met cliënten zonder lichamelijke zorg; plannen en "
        "organiseren; dagdiensten.",
        "limitations": "Niet tillen of cliënten verplaatsen; niet lang bukken; geen "
        "nachtdiensten.",
        "wage": "€ 2.600 – € 3.000 bruto",
        "profiles": [
            ("Zorg", [
                ("Planner thuiszorg", "Kent de routes en de cliënten; zonder lichamelijke zorg."),
            ]),
            ("Zorg, Dienstverlening", [
                ("Planner thuiszorg", "Kent de routes en de cliënten; zonder lichamelijke zorg."),
                ("Receptionist zorginstelling", "Gastvrij en geduldig; zittend werk."),
                ("Medewerker cliëntenservice", "Kent de vragen van cliënten en mantelzorgers."),
            ]),
        ],
        "applications": [
            ("written_application", "Careyn", "Planner thuiszorg"),
            ("agency_registration", "Randstad Zorg", ""),
            ("open_application", "Zorggroep Almere", ""),
            ("reading_vacancies", "", ""),
            ("written_application", "Antonius Ziekenhuis", "Receptionist"),
            ("phone_application", "Buurtzorg", "Planner"),
            ("written_application", "Axion Continu", "Medewerker cliëntenservice"),
            ("written_application", "Vitras", "Planner zorg"),
            ("open_application", "Huisartsenpraktijk De Bilt", ""),
            ("written_application", "Zorgspectrum", "Gastvrouw receptie"),
        ],
        "vacancies": [
            ("Planner thuiszorg", "Careyn", "Utrecht", 28, "Zorg"),
            ("Receptionist", "Antonius Ziekenhuis", "Nieuwegein", 24, "Zorg"),
        ],
        "three_way": "Werkgever akkoord met verbreding naar receptie en cliëntenservice.",
        # The late start, stated honestly: week 60, where week 58 was the latest.
        "sick_days_before_start": 7 * 59 + 3,
        "late_start": "Het 2e spoor is gestart op {start} (week {start_week}), na de uiterlijke "
        "start van {latest_start} (week {latest_start_week}). Na de eerstejaarsevaluatie is "
        "eerst een proefperiode als planner bij de eigen werkgever geprobeerd; toen die niet "
        "tot een passende functie leidde, volgde de verwijzing. De werkgever heeft dit in het "
        "re-integratiedossier vastgelegd.",
        "employee_view": "Ik herken mij in de rapportage. Ik wil graag in de zorg blijven, "
        "maar dan zonder tillen.",
    },
    "Wiśniewska": {  # Huishoudelijk medewerker at Horizon Wonen: light, varied work
        "sector_phrase": "in de facilitaire dienstverlening",
        "test_result": "netheid, gastvrijheid en vaste routines",
        "education": "MBO 2 Facilitair medewerker (diploma uit Polen, erkend)",
        "work_history": "9 jaar huishoudelijk medewerker in de ouderenzorg",
        "competences": "Nauwkeurig, gastvrij, betrouwbaar",
        "possibilities": "Licht, afwisselend werk; staand en zittend; vaste routines.",
        "limitations": "Niet tillen boven 5 kg; niet langdurig bukken of reiken.",
        "wage": "€ 2.300 – € 2.600 bruto",
        "profiles": [
            ("Facilitair", [
                ("Medewerker linnenkamer", "Licht werk, zittend en staand afwisselend."),
            ]),
            ("Facilitair, Gastvrijheid", [
                ("Medewerker linnenkamer", "Licht werk, zittend en staand afwisselend."),
                ("Gastvrouw restaurant zorginstelling", "Gastvrij; geen zwaar werk."),
                ("Medewerker facilitaire balie", "Vaste routines; contact met bewoners."),
            ]),
        ],
        "applications": [
            ("written_application", "CSU", "Medewerker linnenkamer"),
            ("agency_registration", "Olympia", ""),
            ("open_application", "Elis Textielservice", ""),
            ("reading_vacancies", "", ""),
            ("written_application", "Amaris Zorggroep", "Gastvrouw restaurant"),
            ("phone_application", "Vivium", "Medewerker facilitaire balie"),
            ("written_application", "Sodexo", "Gastvrouw"),
            ("written_application", "Compass Group", "Medewerker bedrijfsrestaurant"),
            ("open_application", "Zorgcentrum De Amersfoortse Berg", ""),
            ("written_application", "Hago Zorg", "Medewerker linnenkamer"),
        ],
        "vacancies": [
            ("Medewerker linnenkamer", "CSU", "Utrecht", 24, "Facilitair"),
            ("Gastvrouw restaurant", "Amaris Zorggroep", "Hilversum", 20, "Gastvrijheid"),
        ],
        "placement": ("Amaris Zorggroep", "Gastvrouw restaurant"),
        "three_way": "Werkgever akkoord met verbreding naar gastvrijheid.",
        "employee_view": "Ik herken mij in de rapportage. Werken met mensen vind ik fijn.",
    },
    "Bosman": {  # Expeditiemedewerker at Vermeer Brood: the loonsanctie, repaired
        "job": "Expeditiemedewerker",
        "sector_phrase": "in de groothandel en de voedingsmiddelenindustrie",
        "test_result": "orde, planning en administratie",
        "education": "VMBO kader, cursus Logistiek medewerker",
        "work_history": "20 jaar expeditiemedewerker bij een broodfabriek",
        "competences": "Ordelijk, punctueel, collegiaal",
        "possibilities": "Afwisselend zitten en staan; administratief en controlerend werk.",
        "limitations": "Niet tillen boven 5 kg; niet langer dan een half uur achtereen bukken.",
        "wage": "€ 2.400 – € 2.700 bruto",
        "profiles": [
            ("Groothandel", [
                ("Medewerker orderverwerking", "Kent de orders en de routes; zittend werk."),
            ]),
            ("Groothandel, Voedingsmiddelenindustrie", [
                ("Medewerker orderverwerking", "Kent de orders en de routes; zittend werk."),
                ("Controleur uitgaande goederen", "Orde en nauwkeurigheid; geen tilwerk."),
                ("Administratief medewerker logistiek", "Kent de vrachtbrieven."),
            ]),
        ],
        "applications": [
            ("written_application", "Sligro", "Medewerker orderverwerking"),
            ("agency_registration", "Start People", ""),
            ("open_application", "Bidfood Zwolle", ""),
            ("reading_vacancies", "", ""),
            ("written_application", "Hanos Zwolle", "Administratief medewerker logistiek"),
            ("phone_application", "Bakkersland", "Controleur expeditie"),
            ("written_application", "Makro Deventer", "Medewerker orderverwerking"),
            ("job_fair", "Banenmarkt Zwolle", ""),
            ("written_application", "Lamb Weston", "Medewerker logistieke administratie"),
            ("open_application", "Transportbedrijf Vos Zwolle", ""),
        ],
        "vacancies": [
            ("Medewerker orderverwerking", "Sligro", "Zwolle", 32, "Groothandel"),
        ],
        "three_way": "Werkgever akkoord met verbreding naar controle van uitgaande goederen.",
        "employee_view": "Ik herken mij in de rapportage.",
        # In the first year only work at the own employer was looked for; UWV imposed a
        # loonsanctie at the WIA application, and the 2e spoor is the repair.
        "sick_days_before_start": 7 * 96 + 2,
        "wage_sanction": (26, 93, "Onvoldoende re-integratie-inspanningen: het 2e spoor is "
                          "niet ingezet."),
        "late_start": "Het 2e spoor is gestart op {start} (week {start_week}), na de uiterlijke "
        "start van {latest_start} (week {latest_start_week}): in het eerste ziektejaar is "
        "alleen gezocht naar werk bij de eigen werkgever. UWV heeft daarom bij de WIA-aanvraag "
        "een loonsanctie van {extension_weeks} weken opgelegd; de wachttijd loopt nu tot "
        "{week_104}. Dit traject is het herstel dat UWV vraagt.",
    },
    "Peters": {  # Banketbakker at Vermeer Banket: food work without repetitive hand work
        "test_result": "precisie, planning en klantcontact",
        "education": "MBO 3 Banketbakker",
        "work_history": "10 jaar banketbakker in een ambachtelijke bakkerij",
        "competences": "Precies, creatief, werkt graag volgens recept en planning",
        "possibilities": "Dagdiensten; werk met afwisseling in houding en handelingen.",
        "limitations": "Geen repeterende arm- en polsbewegingen langer dan een half uur; niet "
        "tillen boven 10 kg.",
        "wage": "€ 2.500 – € 2.800 bruto",
        "profiles": [
            ("Voedingsmiddelenindustrie", [
                ("Medewerker productieplanning", "Kent recepturen en bakschema's; zittend werk."),
            ]),
            ("Voedingsmiddelenindustrie, Detailhandel", [
                ("Medewerker productieplanning", "Kent recepturen en bakschema's; zittend werk."),
                ("Verkoopmedewerker banketzaak", "Vakkennis; afwisselend werk met klanten."),
                ("Medewerker receptuurbeheer", "Precisie en kennis van ingrediënten."),
            ]),
        ],
        "applications": [
            ("written_application", "Bakkersland", "Medewerker productieplanning"),
            ("agency_registration", "Olympia", ""),
            ("open_application", "Banketbakkerij Van der Linde", ""),
            ("reading_vacancies", "", ""),
            ("written_application", "Royal Smilde", "Medewerker receptuurbeheer"),
            ("phone_application", "Patisserie Holtkamp", "Verkoopmedewerker"),
            ("written_application", "Lotus Bakeries", "Planner productie"),
            ("job_fair", "Banenmarkt Deventer", ""),
            ("written_application", "Jumbo Zwolle-Zuid", "Medewerker banketafdeling"),
            ("open_application", "Bakkerij Bosch", ""),
        ],
        "vacancies": [
            ("Medewerker productieplanning", "Bakkersland", "Zwolle", 32, "Voeding"),
        ],
        "three_way": "Werkgever akkoord met verbreding naar de verkoop in banketzaken.",
        "employee_view": "Ik herken mij in de rapportage.",
    },
}  # fmt: skip


def story_for(last_name: str, story: DemoStory) -> DemoStory:
    """The agency's story with the employee's own trade laid over it (``TRADES``)."""
    from dataclasses import replace

    return replace(story, **TRADES.get(last_name, {}))


TWEEDE_KANS = DemoStory(
    office="Kantoor Zwolle, Stationsweg 12",
    academy="Leerhuis Tweede Kans",
    region="Zwolle en Deventer",
    sector_phrase="in de voedingsmiddelenindustrie en de detailhandel",
    test_result="kwaliteit, hygiëne en klantcontact",
    education="MBO 2 Bakker",
    work_history="15 jaar bakker in de nachtploeg",
    competences="Nauwkeurig, hygiënisch, teamspeler",
    possibilities="Dagdiensten; afwisselend staand en zittend werk.",
    limitations="Geen nachtdiensten; niet langer dan een uur achtereen staan.",
    wage="€ 2.500 – € 2.900 bruto",
    profiles=[
        (
            "Voedingsmiddelenindustrie",
            [
                ("Medewerker kwaliteitscontrole", "Kent de hygiëneregels; dagdienst."),
            ],
        ),
        (
            "Voedingsmiddelenindustrie, Detailhandel",
            [
                ("Medewerker kwaliteitscontrole", "Kent de hygiëneregels; dagdienst."),
                ("Verkoopmedewerker speciaalzaak", "Vakkennis van brood en banket; klantcontact."),
                ("Medewerker voorraadbeheer", "Overzicht en nauwkeurigheid; afwisselend werk."),
            ],
        ),
    ],
    action_list=[
        ("Kennismakingsgesprek", 1, 2, "specialist"),
        ("Interessetest maken", 2, 1, "employee"),
        ("Cv laten nakijken", 3, 3, "employee"),
        ("Werkfit-plan opgesteld", 5, 1, "specialist"),
        ("Netwerkgesprek met twee oud-collega's", 6, 1, "employee"),
        ("Evaluatie zoekrichting", 12, 2, "specialist"),
    ],
    vacancies=[
        ("Medewerker kwaliteitscontrole", "Royal Smilde", "Heerenveen", 32, "Voeding"),
        ("Verkoopmedewerker", "Bakkerij Bosch", "Zwolle", 24, "Detailhandel"),
        ("Medewerker voorraadbeheer", "Sligro", "Deventer", 30, "Groothandel"),
        ("Productiemedewerker dagdienst", "FrieslandCampina", "Deventer", 32, "Voeding"),
        ("Kassamedewerker", "Jumbo Zwolle-Zuid", "Zwolle", 20, "Detailhandel"),
    ],
    applications=[
        ("written_application", "Royal Smilde", "Medewerker kwaliteitscontrole"),
        ("agency_registration", "Tempo-Team", ""),
        ("open_application", "Bakkerij Bosch", ""),
        ("reading_vacancies", "", ""),
        ("written_application", "Sligro", "Medewerker voorraadbeheer"),
        ("phone_application", "Ekoplaza Zwolle", "Verkoopmedewerker"),
        ("written_application", "FrieslandCampina", "Kwaliteitsassistent"),
        ("job_fair", "Banenmarkt Zwolle", ""),
        ("written_application", "Bakkersland", "Medewerker kwaliteit"),
        ("open_application", "De Zwolsche Bakker", ""),
    ],
    placement=("Royal Smilde", "Medewerker kwaliteitscontrole"),
    employee_view=(
        "Ik herken mij in de rapportage. Ik mis het bakken, maar kwaliteitscontrole past bij wat "
        "ik kan. Dagdiensten zijn voor mij een voorwaarde."
    ),
    three_way="Werkgever akkoord met verbreding naar de detailhandel.",
    jobs=("Bakker (nachtploeg)", "Banketbakker"),
)


def demo_action_list(agency, story: DemoStory) -> ActionTemplate:
    template, created = ActionTemplate.objects.get_or_create(
        agency=agency, name="Standaard 2e spoor"
    )
    if created:
        for title, week, day, performer in story.action_list:
            ActionTemplateItem.objects.create(
                template=template, title=title, week=week, day=day, performer=performer
            )
    return template


def fill_file(trajectory, specialist, template, story: DemoStory, *, behind=False) -> None:
    """Idempotent: a file that already has conversations is left alone. The work that fell
    due was done on time, except in the one file ``behind``: a task and an assignment a few
    days overdue, as an agency sees in one file, not in all of them."""
    _wvp_steps(trajectory)  # the employer's steps happened, referred or not
    if trajectory.start_date is None or trajectory.conversationreports.exists():
        return
    start = trajectory.start_date
    tz = timezone.get_current_timezone()
    _phase_route(trajectory, specialist)
    name = trajectory.employee.first_name
    conversations = [
        (0, "intake", 75, "agency", False,
         f"Kennismaking met {name}. Achtergrond, verwachtingen en het verloop van het traject "
         "besproken. Gemotiveerd om ander werk te vinden.", "Loopbaantest invullen voor week 2."),
        (10, "coaching", 60, "employer", False,
         f"Uitslag loopbaantest besproken: affiniteit met {story.test_result}. "
         "Zoekrichtingen verkend.", "Cv bijwerken; twee uitzendbureaus benaderen."),
        (22, "coaching", 45, "employee", True,
         "Energie wisselend; afspraken over opbouw van uren in functionele termen gemaakt.",
         "Volgende week korter gesprek."),
        (34, "three_way", 60, "employer", False,
         f"Met werkgever en werknemer voortgang en zoekprofiel besproken. {story.three_way}",
         "Zoekprofiel versie 2 vastleggen."),
    ]  # fmt: skip
    last = min(timezone.localdate(), trajectory.end_date or timezone.localdate())
    # Every 12 days (a working day, so at most 14 apart: the agency's limit of contact).
    for n, offset in enumerate(range(46, (last - start).days + 1, 12)):
        conversations.append(
            (offset, "coaching", 45, "employer" if n % 2 == 0 else "agency", False,
             "Sollicitaties van de afgelopen weken doorgenomen; twee vacatures samen gekozen.",
             "Reacties nabellen; gesprek voorbereiden.")
        )  # fmt: skip
    for offset, kind, minutes, visibility, medical, summary, agreements in conversations:
        # The intake conversation is the intake the file records (a report prints both).
        day = trajectory.intake_date if kind == "intake" and trajectory.intake_date else None
        day = day or _workday_after(start + timedelta(days=offset))
        if day > last:
            continue
        ConversationReport.objects.create(
            trajectory=trajectory, date=day, kind=kind, duration_minutes=minutes,
            visibility=visibility, contains_medical=medical, summary=summary,
            agreements=agreements, participants=f"{name}, {specialist.get_full_name()}",
            author=specialist,
        )  # fmt: skip
    today = timezone.localdate()
    for days, subject in [(2, "Coachingsgesprek"), (9, "Sollicitatietraining")]:
        begins = datetime.combine(_workday_after(today + timedelta(days=days)), time(10, 0),
                                  tzinfo=tz)  # fmt: skip
        Appointment.objects.create(
            trajectory=trajectory, subject=subject, starts_at=begins,
            ends_at=begins + timedelta(hours=1), location=story.office,
            with_whom=specialist.get_full_name(),
        )  # fmt: skip
    Assignment.objects.create(
        trajectory=trajectory, title=f"Drie vacatures zoeken {story.sector_phrase}",
        due_date=today + timedelta(days=5),
        description="Kies vacatures die passen bij je zoekprofiel en neem ze mee naar het gesprek.",
    )  # fmt: skip
    profile_update = Assignment(
        trajectory=trajectory,
        title="LinkedIn-profiel bijwerken",
        due_date=today - timedelta(days=3),
    )
    if not behind:
        profile_update.status = "done"
        profile_update.completed_at = _at(today - timedelta(days=4), 20)
        profile_update.result = "Profiel bijgewerkt met de nieuwe zoekrichting."
    profile_update.save()
    Training.objects.create(
        trajectory=trajectory, name="Loopbaantest (Loopbaankompas)", provider=story.academy,
        online=True, start_date=start + timedelta(days=3), end_date=start + timedelta(days=10),
        status="completed",
        result=f"Hoogste interesse in {story.test_result}.",
    )  # fmt: skip
    Training.objects.create(
        trajectory=trajectory, name="Sollicitatietraining", provider=story.academy,
        start_date=start + timedelta(days=21), end_date=start + timedelta(days=35),
        status="completed",
        result="Cv en motivatiebrief herschreven; gespreksvaardigheid geoefend.",
    )  # fmt: skip
    PersonProfile.objects.create(
        trajectory=trajectory, education=story.education, work_history=story.work_history,
        competences=story.competences, motivators="Zekerheid en collega's",
        test_results=f"Loopbaantest: {story.test_result} passen het best.",
        wishes="Regelmatige werktijden",
    )  # fmt: skip
    WorkCapacity.objects.create(
        trajectory=trajectory, advice_author="Bedrijfsarts A. Jansen",
        advice_date=start - timedelta(days=20),
        fml_reference=f"FML {start - timedelta(days=20):%d-%m-%Y}",
        possibilities=story.possibilities, limitations=story.limitations,
        hours_per_day=6, hours_per_week=30,
    )  # fmt: skip
    for version, (sectors, functions) in enumerate(story.profiles, start=1):
        valid_from = start if version == 1 else start + timedelta(days=43)
        if valid_from > timezone.localdate():
            continue
        profile = SearchProfile.objects.create(
            trajectory=trajectory, version=version, valid_from=valid_from, sectors=sectors,
            region=story.region,
            travel_minutes=45, hours_per_week=30, wage_indication=story.wage,
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
    trajectory.tasks.filter(due_date__lt=today).update(done_on=F("due_date"))
    if behind:  # one call that slipped a few days ago
        Task.objects.create(
            trajectory=trajectory, title="Werkgever bellen over een proefplaatsing",
            due_date=today - timedelta(days=3), performer="specialist",
        )  # fmt: skip
    if trajectory.is_ended:  # placed in new work before week 87: no eindevaluatie was due
        case = trajectory.sickness_case
        case.current_assessment_date = workday_before(trajectory.end_date - timedelta(days=14))
        case.current_assessment_by = "Bedrijfsarts A. Jansen"
        case.save()
        new_employer, function = story.placement
        Placement.objects.create(
            trajectory=trajectory, new_employer=new_employer, function=function,
            start_date=trajectory.end_date, hours_per_week=30, contract_type="employment",
            aftercare_until=trajectory.end_date + timedelta(days=90),
        )  # fmt: skip


def _wvp_steps(trajectory) -> None:
    """The employer's WvP steps, each in its week, done on time up to today, or up to the
    end of a trajectory that ended in new work (no eindevaluatie or WIA application after
    it: the sickness ended there)."""
    case = trajectory.sickness_case
    first, today = case.first_sick_day, min(timezone.localdate(), trajectory.end_date or date.max)
    for field, days in [
        ("probleemanalyse_date", 38),
        ("plan_van_aanpak_date", 50),
        ("notification_42_date", 290),
        ("first_year_evaluation_date", 355),
        ("current_assessment_date", 7 * 86),  # the company doctor's, for the eindevaluatie
        ("final_evaluation_date", 7 * 87),
        ("wia_application_date", 7 * 91),
    ]:
        day = workday_before(first + timedelta(days=days))  # an office day in its week
        if day <= today and not getattr(case, field):
            setattr(case, field, day)
    if case.current_assessment_date and not case.current_assessment_by:
        case.current_assessment_by = "Bedrijfsarts A. Jansen"
    case.save()


def _phase_route(trajectory, specialist) -> None:
    """Dated phase changes up to the trajectory's current phase, on working days."""
    if trajectory.phase is None:
        return
    for n, phase in enumerate(
        trajectory.agency.phases.filter(position__lte=trajectory.phase.position)
    ):
        PhaseChange.objects.create(
            trajectory=trajectory, phase=phase, changed_by=specialist,
            started_on=_workday_after(trajectory.start_date + timedelta(days=21 * n)),
        )  # fmt: skip


#: How an application older than a month ended, in turn (a month is long enough to hear).
DEMO_OUTCOMES = [["sent", "rejected"], ["sent", "no_response"], ["sent", "invited", "rejected"],
                 ["sent", "rejected"]]  # fmt: skip
#: Recent applications are still open.
DEMO_OPEN = [["sent"], ["sent", "invited"], ["sent", "invited", "second_interview"]]
#: Every this many days an activity, except in the quiet weeks (the sollicitatietraining),
#: so that one norm period is missed and the reports have something to explain.
DEMO_EVERY_DAYS = 5
DEMO_QUIET_DAYS = range(30, 45)  # one norm period (the second) honestly below the norm


def demo_applications(trajectory, employee_user, story: DemoStory) -> None:
    """A lived-in application log (idempotent) and a vacancy board per agency."""
    from sollicitaties.constants import STATUS_KINDS
    from sollicitaties.models import (
        ApplicationActivity,
        StatusChange,
        TempAgencyRegistration,
        Vacancy,
    )

    for title, organisation, place, hours, category in story.vacancies:
        Vacancy.objects.get_or_create(
            agency=trajectory.agency, title=title, organisation=organisation,
            defaults={"place": place, "hours_per_week": hours, "function_category": category},
        )  # fmt: skip
    if trajectory.start_date is None or employee_user is None:
        return
    if ApplicationActivity.objects.filter(trajectory=trajectory).exists():
        return
    today = timezone.localdate()
    last = min(today, trajectory.end_date or today)
    rows = []
    for n, offset in enumerate(
        o for o in range(2, (last - trajectory.start_date).days + 1, DEMO_EVERY_DAYS)
        if not (story.quiet and o in DEMO_QUIET_DAYS)
    ):  # fmt: skip
        kind, organisation, title = story.applications[n % len(story.applications)]
        if kind == "agency_registration" and n >= len(story.applications):
            continue  # registered once with an agency; the list's next round skips it
        day = trajectory.start_date + timedelta(days=offset)
        if kind not in STATUS_KINDS:
            history = ["sent"]
        elif (today - day).days < 30:
            history = DEMO_OPEN[n % len(DEMO_OPEN)]
        else:
            history = DEMO_OUTCOMES[n % len(DEMO_OUTCOMES)]
        rows.append((day, kind, organisation, title, history))
    if trajectory.is_ended:  # the application that led to the placement
        rows.append((trajectory.end_date - timedelta(days=24), "open_application",
                     *story.placement,
                     ["sent", "invited", "second_interview", "offer", "hired"]))  # fmt: skip
    for day, kind, organisation, title, history in rows:
        activity = ApplicationActivity.objects.create(
            trajectory=trajectory, date=day, kind=kind, organisation=organisation,
            vacancy_title=title, status=history[-1], recorded_by=employee_user,
            recorded_by_role="employee", channel="vacancy_site" if title else "",
            notes="Leuk gesprek gehad, salaris iets lager"
            if history[-1] == "second_interview" else "",
        )  # fmt: skip
        for i, status in enumerate(history):
            StatusChange.objects.create(
                activity=activity, status=status, date=day + timedelta(days=3 * i),
                changed_by=employee_user,
            )  # fmt: skip
    from sollicitaties import repeats

    with transaction.atomic():
        repeats.refresh(trajectory)  # the services' rule, on what the seed wrote directly
    # The registration the employee recorded in their log, on the same day.
    registered = next((day for day, kind, *_ in rows if kind == "agency_registration"),
                      trajectory.start_date + timedelta(days=7))  # fmt: skip
    TempAgencyRegistration.objects.get_or_create(
        trajectory=trajectory, agency_name=story.temp_agency, defaults={"date": registered}
    )


def demo_reports(agency, story: DemoStory, *, overdue: str | None = None) -> None:
    """The reports as an agency that works on time has them (once: a signed report is never
    rewritten). Every report that fell due went out for a response four days before its due
    date, was agreed to by the employee (a plan also signed by the employer) the next evening,
    discussed that day, and signed on its due date, with a narrative written from the report's
    own figures; the first progress report of the first file carries a remark of the employee,
    and the employee whose story ``disagrees`` says "Niet akkoord" to their first progress
    report (signed all the same, the response printed; the next report answers it).
    The drafts not yet due stay drafts (one is due in a few days), and the report of the
    employee named ``overdue`` is left unsigned past its due date.

    Everything goes through the services (their checks hold), each step on its own day and
    hour: the seed travels there (``time_machine``, a development dependency, as this command
    is), so every moment a report records is one it lived, and its cut-off is its own."""
    import time_machine

    from portal import access
    from rapportages import content
    from rapportages import services as reports
    from rapportages.models import Report
    from trajecten.services import renewals_record

    today = timezone.localdate()
    reports.reports_schedule(today=today)
    renewals_record(today=today)
    if Report.objects.filter(agency=agency).exclude(status="draft").exists():
        return
    due = list(
        Report.objects.filter(agency=agency, status="draft", due_date__lt=today)
        .select_related("trajectory__employee__user")
        .order_by("trajectory__employee__last_name", "due_date")
    )
    remarked, disagreed = False, set()
    for report in due:
        employee = report.trajectory.employee
        if employee.last_name == overdue and report is _latest(due, employee):
            continue
        signer = report.trajectory.memberships.get(role="primary").user
        # On working days: signed on the due date (the Friday before when it falls in a
        # weekend), given out four working days earlier, answered the next working day.
        signed_on = workday_before(
            report.due_date - timedelta(days=1 if report.kind == "trajectory_plan" else 0)
        )
        # Never before the period starts (a plan is written once the trajectory runs).
        offered_on = max(_working_days_before(signed_on, 4), _workday_after(report.period_start))
        answered_on = add_working_days(offered_on, 1)
        signed_on = max(signed_on, answered_on)
        with time_machine.travel(_at(offered_on, 9), tick=False), as_person(signer):
            blocks = content.build(report, today=offered_on)
            own = story_for(employee.last_name, story)
            reports.report_save(actor=signer, report=report, **_narrative(report, blocks, own))
            report = reports.report_offer(actor=signer, report=report)
        people = [employee.user] if employee.user_id else []
        if report.kind == "trajectory_plan":
            people += list(access.employer_contacts_of(report.trajectory))[:1]
        with time_machine.travel(_at(answered_on, 19), tick=False):
            for person in people:
                decision, remark = "agree", ""
                if person == employee.user and report.kind == "progress" and own.disagrees:
                    if employee.pk not in disagreed:  # their first progress report
                        decision, remark = "disagree", own.disagrees[0]
                        disagreed.add(employee.pk)
                elif person == employee.user and report.kind == "progress" and not remarked:
                    remark, remarked = own.employee_view, True
                with as_person(person):
                    reports.report_respond(
                        actor=person, report=report, decision=decision, reason=remark,
                        content_sha256=report.review_sha256,
                        authenticated_by="wachtwoord"
                        if person == employee.user
                        else "wachtwoord + authenticator-app (tweestapsverificatie)",
                    )  # fmt: skip
            with as_person(signer):
                reports.report_save(actor=signer, report=report, discussed_on=answered_on)
        with (
            time_machine.travel(_at(signed_on, 16), tick=False),
            transaction.atomic(),
            as_person(signer),
        ):
            # The PDF is rendered after the commit, still on that day.
            reports.report_sign(
                actor=signer, report=Report.objects.get(pk=report.pk), confirmed=True
            )


def notices_on_their_day() -> None:
    """The report notices are made after the seed's one commit; they carry the moment their
    report was given out or became final, as they would have."""
    from portal.models import Notification
    from rapportages.models import Report

    reports = {str(r.uuid): r for r in Report.objects.exclude(review_requested_at=None)}
    for notice in Notification.objects.filter(message__in=("respond", "final")):
        report = reports.get(notice.url.rstrip("/").rsplit("/", 1)[-1])
        when = report and (report.review_requested_at if notice.message == "respond"
                           else report.signed_at)  # fmt: skip
        if when:
            Notification.objects.filter(pk=notice.pk).update(created_at=when)


def recorded_on_their_day(trajectory) -> None:
    """The seed writes everything today; a file that was kept up records each entry on its
    own day (a conversation written up that afternoon, an application that evening, a
    training booked a week ahead, a placement two weeks before it starts). Reports tell
    which entries came in after they were fixed (``rapportages.late``), so the demo's dates
    of recording must be lived ones too."""
    from sollicitaties.models import ApplicationActivity

    def stamp(model, when):
        for pk, day in model.objects.filter(trajectory=trajectory).values_list("pk", when.field):
            if day:
                model.objects.filter(pk=pk).update(created_at=when.at(day))

    stamp(ConversationReport, _When("date", lambda d: _at(d, 16)))
    stamp(ApplicationActivity, _When("date", lambda d: _at(d, 19)))
    stamp(Training, _When("start_date", lambda d: _at(d - timedelta(days=7), 10)))
    stamp(Placement, _When("start_date", lambda d: _at(d - timedelta(days=14), 11)))


@dataclass(frozen=True)
class _When:
    field: str
    at: Callable


def _working_days_before(day, n: int):
    while n:
        day -= timedelta(days=1)
        n -= is_working_day(day)
    return day


def workday_before(day):
    """The day itself, or the working day before when it is a weekend day or holiday."""
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def _workday_after(day):
    """The day itself, or the next working day when it is a weekend day or holiday."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def as_person(user):
    """The history of the file names the person the seed acts for, on the seed's own day
    (``time_machine``), through the command line: what the seed did, honestly said."""
    from portal import changelog
    from portal.constants import ChangeVia

    return changelog.recording(via=ChangeVia.COMMAND, actor=user, path="seed_demo")


def _at(day, hour: int):
    return timezone.make_aware(datetime.combine(day, time(hour, 30)))


def _latest(drafts, employee):
    return max((r for r in drafts if r.trajectory.employee_id == employee.pk),
               key=lambda r: r.due_date)  # fmt: skip


def _narrative(report, blocks: dict, story: DemoStory) -> dict:
    """What a specialist would write, from the report's own figures as of its cut-off (so the
    two agree, ``rapportages.narrative``): the progress is the starting text the page offers,
    the evaluation says how many norm periods were met and, where some were not, how many and
    what follows, never a reason the file does not hold; a plan that starts late says why
    (``story.late_start``)."""
    from django.utils.translation import override

    from rapportages import narrative
    from rapportages.models import ReportResponse

    name = report.trajectory.employee.first_name
    norm = blocks["norm"]
    profile = blocks["search_profile"]["in_force"] or {}
    functions = ", ".join(f["title"].lower() for f in profile.get("functions", []))
    capacity = blocks["work_capacity"]
    if report.kind == "trajectory_plan":
        referral = blocks["referral"]
        late = (
            ""
            if referral["timely"] or not story.late_start
            else " " + story.late_start.format(**referral)
        )
        return {
            "progress": f"Intake op {referral['intake_date']}. {name} is gemotiveerd om passend "
            f"werk bij een andere werkgever te vinden.{late}",
            # Non-medical only: the functional limitations are in the FML block already.
            "obstacles": "Geen eigen vervoer: vacatures binnen 45 minuten reizen met het OV.",
            "evaluation": f"Het plan is met {name} besproken. Zoekrichting: {functions}, binnen "
            f"de belastbaarheid uit de {capacity.get('fml', 'FML')}.",
            "next_steps": "Loopbaantest en sollicitatietraining in de eerste zes weken; "
            f"daarna solliciteren volgens de norm van {norm['description']}.",
        }
    progress = narrative.starting_text(blocks)
    complete, met = norm["complete"], norm["met"]
    missed = complete - met
    if not complete:
        judged = "In deze periode is nog geen normperiode afgerond."
    elif not missed:
        judged = (f"De sollicitatienorm is gehaald in alle {complete} afgeronde normperioden "
                  "van deze rapportage; de inspanningen zijn voldoende.")  # fmt: skip
    else:
        periods = "normperiode" if missed == 1 else "normperioden"
        judged = (
            f"De sollicitatienorm is gehaald in {met} van de {complete} afgeronde normperioden. "
            f"In {missed} {periods} bleef {name} onder de norm; dat is met {name} besproken en "
            "de afspraak is om elke week twee vacatures samen te kiezen."
        )
    if report.kind == "final":
        placement = blocks["placement"] or {}
        return {
            "progress": progress,
            "results": f"{name} is per {placement.get('start', '')} geplaatst als "
            f"{placement.get('function', '').lower()} bij {placement.get('employer', '')}, "
            f"{placement.get('hours', '')} per week.",
            "evaluation": f"{judged} Het 2e spoor heeft tot duurzaam passend werk geleid.",
            "next_steps": f"Nazorg tot {placement.get('aftercare_until', '')}; daarna sluiten "
            "wij het dossier.",
        }
    answered = ""
    disagreed = ReportResponse.objects.filter(
        report__trajectory=report.trajectory, report__due_date__lt=report.due_date,
        party="employee", decision="disagree",
    ).select_related("report").first()  # fmt: skip
    if disagreed and story.disagrees:  # the next report answers it
        with override("nl"):
            earlier = str(disagreed.report).lower()
        answered = (f" {name} was het niet eens met de {earlier} en gaf aan: "
                    f"“{disagreed.reason}” {story.disagrees[1]}")  # fmt: skip
    return {
        "progress": progress,
        "obstacles": "",
        "evaluation": judged + answered,
        "next_steps": f"Sollicitaties voortzetten als {functions}; gesprekken voorbereiden.",
    }


def demo_riv_cases(agency, story: DemoStory) -> None:
    """What the RIV check shows in the demo (idempotent): a late start stated honestly is
    signed off as a valid reason by the employee's specialist, with the words of the plan
    (``story.late_start``); a new FML with fewer hours after the search profile in force
    (``new_fml_days_ago``), recorded after the reports were signed, as it happens."""
    from rapportages import content, services
    from rapportages.models import RivException
    from trajecten.constants import MemberRole
    from trajecten.models import Trajectory

    today = timezone.localdate()
    for t in Trajectory.objects.filter(agency=agency).select_related("employee", "sickness_case"):
        own = story_for(t.employee.last_name, story)
        specialist = t.memberships.filter(role=MemberRole.PRIMARY).first()
        if own.late_start and t.start_date and specialist:
            referral = content.referral(t, today)
            if not referral["timely"] and not RivException.objects.filter(trajectory=t).exists():
                signed = services.riv_exception_sign(
                    actor=specialist.user, trajectory=t, rule="second_track_late",
                    reason=own.late_start.format(**referral),
                )  # fmt: skip
                # Signed off when the plan that states it was signed (the seed runs today).
                plan = t.reports.filter(kind="trajectory_plan", signed_at__isnull=False).first()
                if plan:
                    RivException.objects.filter(pk=signed.pk).update(signed_at=plan.signed_at)
        if own.new_fml_days_ago and t.start_date:
            day = workday_before(today - timedelta(days=own.new_fml_days_ago))
            WorkCapacity.objects.filter(trajectory=t, advice_date__lt=day).update(
                advice_date=day, fml_reference=f"FML {day:%d-%m-%Y} (herbeoordeling)",
                hours_per_day=5, hours_per_week=25,
            )  # fmt: skip


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


def demo_surveys(agency) -> None:
    """The survey of each ended trajectory, as closing sends it (once): the employee's link is
    in the console's email, still open to try; one employer contact has answered."""
    from kwaliteit import services as surveys
    from kwaliteit.models import SurveyInvitation

    ended = Trajectory.objects.filter(agency=agency, status="ended").select_related("agency")
    for trajectory in ended:
        if SurveyInvitation.objects.filter(trajectory=trajectory).exists():
            continue
        specialist = trajectory.memberships.get(role="primary").user
        with transaction.atomic():
            invitations = surveys.surveys_invite(
                actor=specialist, trajectory=trajectory, now=timezone.now()
            )
        contact = next((i for i in invitations if i.party == "employer"), None)
        if contact is not None:
            surveys.survey_answer(
                invitation=contact, guidance=8, communication=9, result=8,
                comment="Korte lijnen en goede terugkoppeling na elk gesprek.", now=timezone.now(),
            )  # fmt: skip
