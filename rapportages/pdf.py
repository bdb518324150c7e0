"""Rendering the project's own templates to PDF with WeasyPrint.

Only templates of this project are rendered, with Django's autoescaping, so every text a
user typed arrives as text, never as markup. The URL fetcher lets WeasyPrint load nothing
but data: URIs and files inside the project's static directories: no network, no other
file:// paths, whatever a report's content says.
"""

import base64
import hashlib
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.template.loader import render_to_string


def _static_roots() -> list[Path]:
    return [Path(p).resolve() for p in (*settings.STATICFILES_DIRS, settings.STATIC_ROOT)]


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parsed = urlparse(url)
            if parsed.scheme == "data":
                meta, _, data = url[5:].partition(",")
                body = base64.b64decode(data) if meta.endswith(";base64") else unquote(data)
                mime = meta.split(";")[0] or "text/plain"
                return URLFetcherResponse(url, body, {"Content-Type": mime})
            if parsed.scheme == "file":
                path = Path(unquote(parsed.path)).resolve()
                if any(path.is_relative_to(root) for root in _static_roots()) and path.is_file():
                    return URLFetcherResponse(url, path.read_bytes())
            raise ValueError(f"Blocked resource: {url[:80]}")

    return StaticOnlyFetcher


def render_to_pdf(template: str, context: dict) -> tuple[str, bytes]:
    """Render a project template to (html, pdf bytes). WeasyPrint is imported here, lazily,
    so web processes that never render do not load it."""
    from weasyprint import HTML

    html = render_to_string(template, context)
    base = (Path(settings.STATICFILES_DIRS[0]).resolve()).as_uri() + "/"
    pdf = HTML(string=html, base_url=base, url_fetcher=_fetcher_class()()).write_pdf()
    return html, pdf


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def logo_data_uri(agency) -> str:
    """The agency's logo (private storage) inlined, so the fetcher needs no access to it."""
    if not agency.logo:
        return ""
    try:
        with agency.logo.open("rb") as f:
            data = f.read()
    except OSError:
        return ""
    mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
