"""Download names: the one way a file name reaches a ``Content-Disposition`` header.

Names are partly typed by users (an employee's last name, an uploaded file's original name), so
they are never put in a header as given. ``download_name`` builds a name from parts and an
extension the caller chooses (never the user); ``content_disposition`` turns it into an RFC 6266
header: a plain ASCII ``filename`` every client understands, plus ``filename*`` in UTF-8 when the
name has letters ASCII cannot hold (``Wiśniewska``). Quotes, semicolons, slashes, backslashes and
control characters (CR/LF) never pass.
"""

import re
import unicodedata
from pathlib import PurePosixPath, PureWindowsPath
from urllib.parse import quote

from django.utils.http import content_disposition_header

MAX_LENGTH = 120

#: Characters kept in the display (UTF-8) name besides letters and digits of any script.
_DISPLAY_KEEP = set(" .-_()+,")
_ASCII_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def _display_part(text: str) -> str:
    """Letters and digits of any script and a few harmless marks; everything else a hyphen."""
    text = unicodedata.normalize("NFC", str(text))
    kept = [
        ch if (ch.isalnum() or ch in _DISPLAY_KEEP) and unicodedata.category(ch)[0] != "C" else "-"
        for ch in text
    ]
    return re.sub(r"-{2,}", "-", re.sub(r"\s+", " ", "".join(kept))).strip(" -.")


def _ascii_part(text: str) -> str:
    """The same part in ASCII: accents dropped (ś -> s), anything else a hyphen."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"-{2,}", "-", _ASCII_UNSAFE.sub("-", plain)).strip("-.")


def display_name(original: str) -> str:
    """An uploaded file's original name as safe display text: the last path component only
    (``..\\..\\evil.html`` becomes ``evil.html``), no control characters, at most 120 long."""
    original = str(original or "")
    last = PureWindowsPath(PurePosixPath(original).name).name
    return _display_part(last)[:MAX_LENGTH] or "bestand"


def download_name(*parts, ext: str, default: str = "download") -> str:
    """``download_name("sollicitaties", "Wiśniewska", "20261129", ext="csv")`` ->
    ``sollicitaties-Wiśniewska-20261129.csv``. Empty parts are skipped; the extension is the
    caller's, so a user can never choose what kind of file the browser saves."""
    cleaned = (_display_part(part).replace(" ", "-") for part in parts if part)
    stem = re.sub(r"-{2,}", "-", "-".join(p for p in cleaned if p))
    stem = stem[: MAX_LENGTH - len(ext) - 1].strip(" -.") or default
    return f"{stem}.{ext.lstrip('.').lower()}"


def content_disposition(filename: str, *, attachment: bool = True) -> str:
    """The header value for ``filename`` (built with ``download_name``): ASCII ``filename``
    always, ``filename*`` (UTF-8, percent-encoded) when the name is not plain ASCII."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    display = _display_part(stem) or "download"
    ascii_stem = _ascii_part(display) or "download"
    ascii_ext = _ascii_part(ext)
    plain = f"{ascii_stem}.{ascii_ext}" if ascii_ext else ascii_stem
    full = f"{display}.{ext}" if ext else display
    header = content_disposition_header(attachment, plain)
    if full != plain:
        header += f"; filename*=UTF-8''{quote(full, safe='')}"
    return header
