"""CSV downloads, one shape for every export in the portal.

Semicolon-separated UTF-8 with a byte-order mark, so that Dutch spreadsheet programs open it as
is; amounts with a decimal comma (the same programs read "1775.00" as a thousands separator).
A text cell that a spreadsheet would run as a formula gets a leading apostrophe (CSV
injection)."""

import csv
from decimal import Decimal

from django.http import HttpResponse

from .downloads import content_disposition

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}".replace(".", ",")
    if isinstance(value, int):
        return str(value)
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_response(rows, filename: str) -> HttpResponse:
    """``filename`` comes from ``portal.downloads.download_name``."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition(filename)
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    for row in rows:
        writer.writerow([cell(value) for value in row])
    return response
