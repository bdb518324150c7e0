from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrajectenConfig(AppConfig):
    """The re-integration file: employees, employments and trajectories with their members."""

    name = "trajecten"
    verbose_name = _("Trajectories")
