from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SollicitatiesConfig(AppConfig):
    """Application activities, temp-agency registrations, the norm and the vacancy board."""

    name = "sollicitaties"
    verbose_name = _("Applications")

    def ready(self) -> None:
        from trajecten.selectors import ExtraTab, register_log_source, register_tab

        from . import views

        register_tab(
            ExtraTab(
                key="applications",
                label=_("Applications"),
                template="sollicitaties/tab.html",
                context=views.file_tab_context,
            )
        )
        register_log_source(views.log_entries)
