"""Serving private files: the one way a stored upload or PDF leaves Spoorboek.

Callers fetch the record through the scoping layer first; this records the download in the
audit trail and streams the file as an attachment (never inline, never from a public URL)."""

from django.http import FileResponse, Http404

from . import audit
from .constants import AuditAction


def private_download(record, stored, *, filename: str, content_type: str = "", api=False):
    if not stored:
        raise Http404
    audit.record(AuditAction.DOWNLOAD, record, details={"api": True} if api else None)
    return FileResponse(
        stored.open("rb"),
        as_attachment=True,
        filename=filename,
        content_type=content_type or "application/octet-stream",
    )
