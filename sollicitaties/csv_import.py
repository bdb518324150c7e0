"""Reading vacancy CSV files as Dutch spreadsheets write them: UTF-8 (with or without BOM) or
Windows-1252, comma or semicolon. Every row is validated; a report lists rejected rows with
the reason. Nothing here touches the database."""

import csv
import io
from dataclasses import asdict, dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_ROWS = 20_000
COLUMNS = {
    # accepted header -> field
    "title": "title", "titel": "title", "functie": "title",
    "organisation": "organisation", "organisatie": "organisation", "werkgever": "organisation",
    "place": "place", "plaats": "place", "standplaats": "place",
    "hours": "hours_per_week", "uren": "hours_per_week", "hours_per_week": "hours_per_week",
    "url": "url", "link": "url",
    "closing_date": "closing_date", "sluitingsdatum": "closing_date",
    "function_category": "function_category", "functiecategorie": "function_category",
    "categorie": "function_category",
}  # fmt: skip
REQUIRED = ("title", "organisation", "place")


@dataclass(frozen=True)
class VacancyRow:
    line: int
    title: str
    organisation: str
    place: str
    hours_per_week: Decimal | None
    url: str
    closing_date: date | None
    function_category: str

    def fields(self) -> dict:
        data = asdict(self)
        data.pop("line")
        return data


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass(frozen=True)
class ParseResult:
    rows: list[VacancyRow]
    rejected: list[Rejected]
    encoding: str
    delimiter: str


def decode(raw: bytes) -> tuple[str, str]:
    """UTF-8 (a BOM is dropped) or, failing that, Windows-1252 as Excel writes it."""
    try:
        return raw.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace"), "Windows-1252"


def _delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    return ";" if first.count(";") > first.count(",") else ","


def _date(value: str) -> date | None:
    if not value:
        return None
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(
        _("'%(value)s' is not a date (use 31-12-2026 or 2026-12-31).") % {"value": value[:50]}
    )


def _hours(value: str) -> Decimal | None:
    if not value:
        return None
    not_hours = _("'%(value)s' is not a number of hours.") % {"value": value[:50]}
    try:
        hours = Decimal(value.replace(",", "."))
    except InvalidOperation as exc:
        raise ValueError(not_hours) from exc
    if not hours.is_finite():  # "NaN", "Infinity"
        raise ValueError(not_hours)
    if not 1 <= hours <= 60:
        raise ValueError(_("Hours must lie between 1 and 60."))
    return hours


def parse(raw: bytes) -> ParseResult:
    text, encoding = decode(raw)
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        return ParseResult([], [Rejected(1, _("The file is empty."))], encoding, delimiter)
    fields = [COLUMNS.get(h.strip().lower()) for h in header]
    missing = [c for c in REQUIRED if c not in fields]
    if missing:
        reason = _("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)}
        return ParseResult([], [Rejected(1, reason)], encoding, delimiter)
    rows, rejected = [], []
    try:
        _read_rows(reader, header, fields, rows, rejected)
    except csv.Error:  # a field over the csv module's limit (128 KiB), or a broken quote
        rejected.append(
            Rejected(
                reader.line_num,
                _("From this line on the file cannot be read: a field is too long or broken."),
            )
        )
    return ParseResult(rows, rejected, encoding, delimiter)


def _read_rows(reader, header: list[str], fields: list, rows: list, rejected: list) -> None:
    url_ok = URLValidator(schemes=["http", "https"])
    for line, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if any("\x00" in v for v in values):
            rejected.append(Rejected(line, _("The line holds a character that cannot be read.")))
            continue
        if line - 1 > MAX_ROWS:
            rejected.append(
                Rejected(
                    line,
                    ngettext("More than %(n)s row.", "More than %(n)s rows.", MAX_ROWS)
                    % {"n": MAX_ROWS},
                )
            )
            break
        if len(values) != len(header):
            rejected.append(
                Rejected(line, _("Expected %(n)s columns, found %(m)s.")
                         % {"n": len(header), "m": len(values)})
            )  # fmt: skip
            continue
        data = {f: v.strip() for f, v in zip(fields, values, strict=True) if f}
        try:
            for required in REQUIRED:
                if not data.get(required):
                    raise ValueError(_("'%(column)s' is empty.") % {"column": required})
            if data.get("url"):
                try:
                    url_ok(data["url"])
                except ValidationError as exc:
                    raise ValueError(
                        _("'%(value)s' is not a web address.") % {"value": data["url"][:80]}
                    ) from exc
            rows.append(
                VacancyRow(
                    line=line,
                    title=data["title"][:200],
                    organisation=data["organisation"][:200],
                    place=data["place"][:100],
                    hours_per_week=_hours(data.get("hours_per_week", "")),
                    url=data.get("url", "")[:500],
                    closing_date=_date(data.get("closing_date", "")),
                    function_category=data.get("function_category", "")[:100],
                )
            )
        except ValueError as exc:
            rejected.append(Rejected(line, str(exc)))
