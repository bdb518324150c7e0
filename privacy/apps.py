from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """The employee's privacy rights over the file: how long it is kept (retention) and the
    right of access (everything the portal holds about them, as a ZIP). Its rows stay models
    of ``trajecten`` (``AccessExport``); this app holds the rules and the work."""

    name = "privacy"
    verbose_name = "Privacy"
