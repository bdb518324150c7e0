"""Upload checks shared by every form that takes a file: size from settings, type by content
(magic bytes via the ``filetype`` package), never by the name or the browser's claim."""

import filetype
from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

#: Detected MIME type -> human name. DOCX is a ZIP whose content filetype recognises.
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "DOCX",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
}


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
    head = upload.read(8192)
    upload.seek(0)
    kind = filetype.guess(head)
    if kind is None and head.startswith(b"PK"):
        kind = _guess_docx(upload)
    if kind is None or kind.mime not in ALLOWED_TYPES:
        raise forms.ValidationError(
            _("This kind of file is not accepted. Upload a PDF, DOCX, PNG or JPEG file.")
        )
    return kind.mime


class _Docx:
    mime = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _guess_docx(upload):
    """filetype only sees the first bytes; a DOCX is recognised by its word/ part."""
    import zipfile

    try:
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
    except zipfile.BadZipFile:
        return None
    finally:
        upload.seek(0)
    return _Docx() if "word/document.xml" in names else None


class CheckedFileField(forms.FileField):
    """A FileField that validates by content; the detected type is kept on the file."""

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload and hasattr(upload, "read") and upload is not initial:
            upload.detected_content_type = validate_upload(upload)
        return upload
