"""Upload checks shared by every form and serializer that takes a file.

* **Size** from settings (``UPLOAD_MAX_MB``); a request body that is larger than that is refused
  before it is read (``portal.middleware.RequestSizeLimitMiddleware``).
* **Type by content** (magic bytes via the ``filetype`` package), never by the name or the
  browser's claim.
* **Structure agrees with the type**: nothing may follow a PDF's last ``%%EOF``, a PNG's
  ``IEND`` chunk or a DOCX's (ZIP's) end record, so an HTML page appended to a valid file (a
  polyglot a browser might render) is refused. Phones write their own data after a JPEG's end
  marker, so there only markup is refused.
* **A DOCX is unpacked in memory, never to disk**, and refused when its content would pass
  ``DOCX_MAX_UNPACKED_BYTES`` (a 1 MB zip bomb unpacks to 1 GiB).
* **Stored under a generated name** (``GeneratedName``: a random hex name with the extension of
  the detected type); the original name is kept only as display text (``display_name``).
"""

import re
import struct
import uuid
import zipfile
from pathlib import PurePosixPath

import filetype
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext as _

from .downloads import display_name

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PNG = "image/png"
JPEG = "image/jpeg"

#: Detected MIME type -> (human name, extension of the stored and downloaded file).
ALLOWED_TYPES = {PDF: ("PDF", "pdf"), DOCX: ("DOCX", "docx"), PNG: ("PNG", "png"),
                 JPEG: ("JPEG", "jpg")}  # fmt: skip

#: What a DOCX may unpack to, and how many parts it may have. A long CV with photos is a few MB.
DOCX_MAX_UNPACKED_BYTES = 100 * 1024 * 1024
DOCX_MAX_MEMBERS = 2000

#: Markup a browser would render if it sniffed the file as HTML or SVG.
MARKUP = re.compile(rb"<\s*(?:html|script|body|iframe|svg|!doctype|\?xml|head|meta|object)\b", re.I)


class _Refused(Exception):
    """The file's structure disagrees with its type."""


def extension_for(content_type: str) -> str:
    return ALLOWED_TYPES.get(content_type, ("", "bin"))[1]


def detect(upload) -> str | None:
    """The allowed MIME type the content shows, or None."""
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime in (None, "application/zip") and head.startswith(b"PK"):
        mime = DOCX if _is_docx(upload) else None
    return mime if mime in ALLOWED_TYPES else None


def _is_docx(upload) -> bool:
    """filetype only sees the first bytes; a DOCX is a ZIP with a word/ part."""
    try:
        with zipfile.ZipFile(upload) as archive:
            return "word/document.xml" in archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)


def _read_all(upload) -> bytes:
    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    return data


def _check_pdf(data: bytes) -> None:
    end = data.rfind(b"%%EOF")
    if not data.startswith(b"%PDF-") or end < 0 or data[end + 5 :].strip(b"\r\n\t \x00"):
        raise _Refused


def _check_png(data: bytes) -> None:
    """Walk the chunks: a valid PNG ends exactly with its IEND chunk."""
    position = 8
    while position + 12 <= len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        position += 12 + length
        if kind == b"IEND":
            if position != len(data):
                raise _Refused
            return
    raise _Refused


def _check_jpeg(data: bytes) -> None:
    end = data.rfind(b"\xff\xd9")
    if not data.startswith(b"\xff\xd8") or end < 0 or MARKUP.search(data[end:]):
        raise _Refused


def _check_docx(upload, data: bytes) -> None:
    """The ZIP's end record closes the file (its comment may follow, nothing else); the
    unpacked size is counted from the archive's directory and then by reading each part in
    memory, so a directory that lies is caught by the read."""
    record = data.rfind(b"PK\x05\x06")
    if record < 0 or record + 22 > len(data):
        raise _Refused
    (comment_length,) = struct.unpack("<H", data[record + 20 : record + 22])
    if record + 22 + comment_length != len(data):
        raise _Refused
    with zipfile.ZipFile(upload) as archive:
        members = archive.infolist()
        if len(members) > DOCX_MAX_MEMBERS:
            raise _Refused
        if sum(m.file_size for m in members) > DOCX_MAX_UNPACKED_BYTES:
            raise _Refused
        unpacked = 0
        for member in members:
            with archive.open(member) as part:
                while chunk := part.read(1024 * 1024):
                    unpacked += len(chunk)
                    if unpacked > DOCX_MAX_UNPACKED_BYTES:
                        raise _Refused
    upload.seek(0)


def check_structure(upload, content_type: str) -> None:
    data = _read_all(upload)
    try:
        match content_type:
            case "application/pdf":
                _check_pdf(data)
            case "image/png":
                _check_png(data)
            case "image/jpeg":
                _check_jpeg(data)
            case _ if content_type == DOCX:
                _check_docx(upload, data)
    except (_Refused, zipfile.BadZipFile, struct.error, OSError, EOFError, ValueError) as exc:
        upload.seek(0)
        raise forms.ValidationError(
            _(
                "This file is damaged or holds more than a %(kind)s file should. "
                "Save it again as %(kind)s and upload that."
            )
            % {"kind": ALLOWED_TYPES[content_type][0]}
        ) from exc


def validate_upload(upload) -> str:
    """Return the detected content type, or raise a ValidationError that says why not."""
    if upload.size > settings.UPLOAD_MAX_BYTES:
        raise forms.ValidationError(
            _("The file is %(size)s; at most %(max)s is allowed.")
            % {
                "size": filesizeformat(upload.size),
                "max": filesizeformat(settings.UPLOAD_MAX_BYTES),
            }
        )
    content_type = detect(upload)
    if content_type is None:
        raise forms.ValidationError(
            _("This kind of file is not accepted. Upload a PDF, DOCX, PNG or JPEG file.")
        )
    check_structure(upload, content_type)
    return content_type


def checked(upload):
    """Validate ``upload`` and keep what the services need on it: the detected type and the
    original name as safe display text. The upload is renamed ``upload.<ext>`` (the
    extension of the detected type); ``GeneratedName`` makes the stored name from that."""
    content_type = validate_upload(upload)
    upload.detected_content_type = content_type
    upload.display_name = display_name(upload.name)
    upload.name = f"upload.{extension_for(content_type)}"
    return upload


def display_name_of(upload) -> str:
    return getattr(upload, "display_name", None) or display_name(getattr(upload, "name", ""))


@deconstructible
class GeneratedName:
    """``upload_to`` for uploads: ``<prefix>/<year>/<month>/<random hex>.<ext>``. The extension
    is that of the detected type (``checked`` renamed the upload to ``upload.<ext>``); the
    name the client sent is never part of the path."""

    def __init__(self, prefix: str):
        self.prefix = prefix

    def __call__(self, instance, filename: str) -> str:
        ext = PurePosixPath(filename).suffix.lstrip(".").lower()
        if ext not in {extension for _name, extension in ALLOWED_TYPES.values()}:
            ext = "bin"
        folder = PurePosixPath(self.prefix, f"{timezone.now():%Y/%m}")
        return str(folder / f"{uuid.uuid4().hex}.{ext}")

    def __eq__(self, other):
        return isinstance(other, GeneratedName) and other.prefix == self.prefix


def download_name_for(stored, display: str) -> str:
    """The name a stored upload is downloaded under: the display name's stem with the
    extension of the stored (generated) name, so the type is the one the content showed."""
    from .downloads import download_name

    ext = PurePosixPath(stored.name).suffix.lstrip(".") or "bin"
    return download_name(PurePosixPath(str(display or "bestand")).stem, ext=ext)


class CheckedFileField(forms.FileField):
    """A FileField that validates by content and structure; the detected type and the safe
    display name are kept on the file (``checked``)."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and hasattr(upload, "read") and upload is not initial:
            checked(upload)
        return upload
