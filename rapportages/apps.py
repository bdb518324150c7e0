from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RapportagesConfig(AppConfig):
    """Progress and final reports, their schedule and PDFs, and the UWV bundle."""

    name = "rapportages"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from trajecten.selectors import ExtraTab, register_tab

        from . import signals, views  # noqa: F401

        register_tab(
            ExtraTab(
                key="reports",
                label=_("Reports"),
                template="rapportages/tab.html",
                context=views.file_tab_context,
            )
        )
