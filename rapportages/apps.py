from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RapportagesConfig(AppConfig):
    """Progress and final reports, their schedule and PDFs, and the UWV bundle."""

    name = "rapportages"
    verbose_name = _("Reports")

    def ready(self) -> None:
        """The file's Reports and RIV check tabs (``trajecten.file_parts``)."""
        from trajecten import file_parts

        from . import selectors

        file_parts.add_tab(file_parts.ExtraTab(
            "reports", _("Reports"), "rapportages/tab.html", selectors.file_tab_context
        ))  # fmt: skip
        from portal import digests

        from . import inbox, riv_panel

        digests.register_wording(inbox.MESSAGES, inbox.wording)

        riv_panel.add_tab()
        file_parts.add_signal_note("riv", riv_panel.late_start_signals)
