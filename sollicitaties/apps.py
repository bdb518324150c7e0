from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SollicitatiesConfig(AppConfig):
    """Application activities, temp-agency registrations, the norm and the vacancy board."""

    name = "sollicitaties"
    verbose_name = _("Applications")

    def ready(self) -> None:
        """The file's Applications tab and its log entries (``trajecten.file_parts``)."""
        from trajecten import file_parts

        from . import selectors

        file_parts.add_tab(file_parts.ExtraTab(
            "applications", _("Applications"), "sollicitaties/tab.html",
            selectors.file_tab_context,
        ))  # fmt: skip
        file_parts.add_log_source("applications", selectors.log_entries)
