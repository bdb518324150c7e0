from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrajectenConfig(AppConfig):
    """The re-integration file: employees, employments and trajectories with their members."""

    name = "trajecten"
    verbose_name = _("Trajectories")

    def ready(self) -> None:
        """The in-app notices of referrals and messages, worded in the reader's language."""
        from portal import digests

        from . import tasks

        digests.register_wording(tasks.MESSAGES, tasks.wording)
