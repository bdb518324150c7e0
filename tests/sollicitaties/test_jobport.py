"""Jobport: vacancies one by one or from a CSV as Dutch spreadsheets write it."""

import base64

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sollicitaties.csv_import import parse
from sollicitaties.models import Vacancy
from tests.conftest import CAST_NAMES

GOOD = (
    "titel;organisatie;plaats;uren;link;sluitingsdatum;categorie\n"
    "Planner;DHL;Utrecht;32;https://dhl.example/1;31-12-2026;Logistiek\n"
    "Medewerker klantenservice;Eneco;Rotterdam;24,5;;2026-12-15;Klantcontact\n"
)


def upload(client, content: bytes, name="vacatures.csv"):
    return client.post(
        reverse("sollicitaties:vacancy_import"), {"file": SimpleUploadedFile(name, content)}
    )


@pytest.mark.parametrize(
    ("raw", "encoding", "delimiter"),
    [
        (GOOD.encode("utf-8"), "UTF-8", ";"),
        (b"\xef\xbb\xbf" + GOOD.encode("utf-8"), "UTF-8", ";"),  # Excel's BOM
        (GOOD.replace("Eneco", "Énergie").encode("cp1252"), "Windows-1252", ";"),
        (GOOD.replace(";", ",").replace("24,5", "24.5").encode(), "UTF-8", ","),
    ],
)
def test_dutch_spreadsheet_exports_are_read(raw, encoding, delimiter):
    result = parse(raw)
    assert (result.encoding, result.delimiter, result.rejected) == (encoding, delimiter, [])
    assert [r.title for r in result.rows] == ["Planner", "Medewerker klantenservice"]
    assert str(result.rows[1].hours_per_week) == "24.5"
    if encoding == "Windows-1252":
        assert result.rows[1].organisation == "Énergie"
    assert result.rows[0].fields()["title"] == "Planner"


def test_malformed_rows_are_rejected_with_their_line_and_reason():
    raw = (
        b"title,organisation,place,hours,url,closing_date\n"
        b"Planner,DHL,Utrecht,32,https://x.example,31-12-2026\n"
        b",DHL,Utrecht,32,,\n"  # line 3: no title
        b"Kok,Hotel,Emmen,veel,,\n"  # line 4: hours
        b"Kok,Hotel,Emmen,32,geen-link,\n"  # line 5: url
        b"Kok,Hotel,Emmen,32,,morgen\n"  # line 6: date
        b"Kok,Hotel\n"  # line 7: columns
    )
    result = parse(raw)
    assert [r.line for r in result.rejected] == [3, 4, 5, 6, 7]
    assert len(result.rows) == 1


def test_missing_columns_or_an_empty_file_are_explained():
    assert "title" in parse(b"organisatie;plaats\nDHL;Utrecht\n").rejected[0].reason
    assert parse(b"").rejected[0].line == 1


def test_dry_run_then_import_and_nothing_partial(cast, login):
    client = login(cast.specialist_a)
    dry = upload(client, GOOD.encode())
    assert dry.context["result"].rows and not Vacancy.objects.exists()
    payload = dry.context["payload"]
    done = client.post(reverse("sollicitaties:vacancy_import"), {"payload": payload})
    assert done.status_code == 302
    assert Vacancy.objects.filter(agency=cast.agency_a).count() == 2

    bad = GOOD + "Kok;Hotel;Emmen;veel;;;\n"
    dry = upload(client, bad.encode())
    assert "veel" in dry.content.decode()
    client.post(reverse("sollicitaties:vacancy_import"), {"payload": dry.context["payload"]})
    assert Vacancy.objects.count() == 2  # nothing of the faulty file


def test_a_tampered_confirmation_is_refused(cast, login):
    client = login(cast.specialist_a)
    assert (
        client.post(reverse("sollicitaties:vacancy_import"), {"payload": "not base64!"}).status_code
        == 403
    )
    forged = base64.b64encode(b"titel;organisatie;plaats\n;;\n").decode()
    client.post(reverse("sollicitaties:vacancy_import"), {"payload": forged})
    assert not Vacancy.objects.exists()


@pytest.mark.parametrize("who", CAST_NAMES)
def test_jobport_is_for_agency_staff_and_shows_only_their_board(cast, login, who):
    Vacancy.objects.create(agency=cast.agency_a, title="VAC-A", organisation="o", place="p")
    Vacancy.objects.create(agency=cast.agency_b, title="VAC-B", organisation="o", place="p")
    client = login(getattr(cast, who))
    response = client.get(reverse("sollicitaties:vacancies"))
    staff = who.startswith(("admin", "specialist"))
    assert response.status_code == (200 if staff else 404)
    if staff:
        html = response.content.decode()
        own, other = ("VAC-A", "VAC-B") if who.endswith(("_a", "_a2")) else ("VAC-B", "VAC-A")
        assert own in html and other not in html
    foreign = Vacancy.objects.get(title="VAC-B" if who.endswith(("_a", "_a2")) else "VAC-A")
    assert client.get(reverse("sollicitaties:vacancy_edit", args=[foreign.uuid])).status_code == 404


def test_a_vacancy_is_added_by_hand(cast, login):
    response = login(cast.specialist_a).post(
        reverse("sollicitaties:vacancy_new"),
        {
            "title": "Chauffeur",
            "organisation": "Jumbo",
            "place": "Veenendaal",
            "url": "jumbo.example/v",
        },
    )
    assert response.status_code == 302
    assert Vacancy.objects.get().url == "https://jumbo.example/v"
