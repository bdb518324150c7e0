from django.apps import AppConfig


class DashboardsConfig(AppConfig):
    """What the dashboards show: the employer's over all BVs (live), the specialist's day, the
    agency's overview and billing. Reads only: every write is a service of the apps below."""

    name = "dashboards"
    verbose_name = "Dashboards"
