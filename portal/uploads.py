"""Upload checks shared by every form and serializer that takes a file.

* **Size** from settings (``UPLOAD_MAX_MB``); a request body that is larger than that is refused
  before it is read (``portal.middleware.RequestSizeLimitMiddleware``).
* **Type by content** (magic bytes via the ``filetype`` package), never by the name or the
  browser's claim.
* **Structure agrees with the type**: nothing may follow a PDF's last ``%%EOF``, and an
  earlier ``%%EOF`` may only be followed by an incremental update (objects and a cross-reference
  table, as a signed or annotated PDF has) without markup; a PNG ends with its ``IEND`` chunk;
  a DOCX (a ZIP) ends with its end record, without a comment, and holds only parts its
  ``[Content_Types].xml`` declares. So an HTML page appended to or hidden in a valid file (a
  polyglot a browser might render) is refused.
* **Images are re-encoded** (Pillow): a PNG or JPEG is decoded and written again, so whatever
  follows or hides between its markers is gone, and so is its metadata (a phone's GPS
  position in EXIF); the orientation is applied first.
* **A DOCX is unpacked in memory, never to disk**, and refused when its content would pass
  ``DOCX_MAX_UNPACKED_BYTES`` (a 1 MB zip bomb unpacks to 1 GiB).
* **Stored under a generated name** (``GeneratedName``: a random hex name with the extension of
  the detected type); the original name is kept only as display text (``display_name``).
"""

import io
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
from PIL import Image

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


#: What an incremental update of a PDF starts with: an object ("12 0 obj") or a table.
PDF_UPDATE = re.compile(rb"\s*(?:\d+\s+\d+\s+obj\b|xref\b|startxref\b)")


def _check_pdf(data: bytes) -> None:
    end = data.rfind(b"%%EOF")
    if not data.startswith(b"%PDF-") or end < 0 or data[end + 5 :].strip(b"\r\n\t \x00"):
        raise _Refused
    first = data.find(b"%%EOF")
    if first != end:  # incremental updates: each must be one, and hide no page
        updates = data[first + 5 : end]
        for section in updates.split(b"%%EOF"):
            if not PDF_UPDATE.match(section) or MARKUP.search(section):
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
    if comment_length or record + 22 != len(data):  # Word writes no comment
        raise _Refused
    with zipfile.ZipFile(upload) as archive:
        members = archive.infolist()
        _check_content_types(archive, members)
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


def _check_content_types(archive: zipfile.ZipFile, members) -> None:
    """Every part is one ``[Content_Types].xml`` declares (by its name, or its extension), as
    the Open Packaging Conventions require: a stray ``page.html`` in the archive is refused."""
    from xml.etree import ElementTree

    with archive.open("[Content_Types].xml") as part:
        # ElementTree resolves no external entity, and the bundled expat (2.4.1 and later)
        # limits entity expansion; the part is read up to 1 MB.
        root = ElementTree.fromstring(part.read(1024 * 1024))  # noqa: S314
    namespace = "{http://schemas.openxmlformats.org/package/2006/content-types}"
    defaults = {e.get("Extension", "").lower() for e in root.iter(f"{namespace}Default")}
    overrides = {e.get("PartName", "").lower() for e in root.iter(f"{namespace}Override")}
    for member in members:
        name = member.filename
        if name == "[Content_Types].xml" or name.endswith("/"):
            continue
        extension = PurePosixPath(name).suffix.lstrip(".").lower()
        if f"/{name.lower()}" not in overrides and extension not in defaults:
            raise _Refused
        if extension in ("html", "htm", "svg", "js", "xhtml"):
            raise _Refused


def _reencode(upload, content_type: str) -> None:
    """Decode the image and write it again over the upload's own file (for a large upload
    Django moves that temporary file into place, so it must hold the new bytes)."""
    from PIL import Image, ImageOps

    upload.seek(0)
    with Image.open(upload) as image:
        image.load()
        image = ImageOps.exif_transpose(image)
        out = io.BytesIO()
        if content_type == JPEG:
            image.convert("RGB").save(out, "JPEG", quality=90, optimize=True)
        else:
            image.save(out, "PNG", optimize=True)
    data = out.getvalue()
    target = upload.file
    target.seek(0)
    target.truncate()
    target.write(data)
    target.flush()
    target.seek(0)
    upload.size = len(data)


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
        if content_type in (PNG, JPEG):
            _reencode(upload, content_type)
    except (
        _Refused,
        zipfile.BadZipFile,
        struct.error,
        OSError,
        EOFError,
        ValueError,
        KeyError,  # a DOCX without [Content_Types].xml
        SyntaxError,  # its XML broken (ElementTree.ParseError)
        Image.DecompressionBombError,
    ) as exc:
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
