"""Serving private files: the one way a stored upload or PDF leaves Spoorboek.

Callers fetch the record through the scoping layer first; this records the download in the
audit trail and streams the file as an attachment (never inline, never from a public URL),
under a name built by ``portal.downloads``. A file the database names but storage has lost
is a 404 for the user and an error in the log for the operator, never a 500."""

import logging

from django.http import FileResponse, Http404

from . import audit
from .constants import AuditAction
from .downloads import content_disposition

logger = logging.getLogger(__name__)


def private_download(record, stored, *, filename: str, content_type: str = "", api=False):
    """``filename`` comes from ``portal.downloads.download_name``."""
    if not stored:
        raise Http404
    try:
        handle = stored.storage.open(stored.name, "rb")
    except (FileNotFoundError, OSError) as exc:
        logger.error(
            "Stored file missing: %s (%s %s)",
            stored.name,
            record._meta.label,
            getattr(record, "uuid", record.pk),
        )
        raise Http404 from exc
    audit.record(AuditAction.DOWNLOAD, record, details={"api": True} if api else None)
    response = FileResponse(handle, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition(filename)
    return response
