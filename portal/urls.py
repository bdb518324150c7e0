from django.urls import path

from . import dashboard_views, views

app_name = "portal"

urlpatterns = [
    path("", dashboard_views.home, name="home"),
    path("dashboard/werkgever/", dashboard_views.employer_dashboard, name="employer_dashboard"),
    path("dashboard/vandaag/", dashboard_views.specialist_dashboard, name="specialist_dashboard"),
    path("beheer/overzicht/", dashboard_views.agency_overview, name="agency_overview"),
    path("beheer/facturatie/", dashboard_views.billing, name="billing"),
    path("werkgevers/", views.employer_list, name="employer_list"),
    path("werkgevers/nieuw/", views.employer_edit, name="employer_create"),
    path("werkgevers/<uuid:uuid>/", views.employer_detail, name="employer_detail"),
    path("werkgevers/<uuid:uuid>/wijzigen/", views.employer_edit, name="employer_edit"),
    path(
        "werkgevers/<uuid:employer_uuid>/bv/nieuw/",
        views.legal_entity_edit,
        name="legal_entity_create",
    ),
    path(
        "werkgevers/<uuid:employer_uuid>/bv/<uuid:uuid>/",
        views.legal_entity_edit,
        name="legal_entity_edit",
    ),
    path("beheer/team/", views.team, name="team"),
    path("beheer/uitnodigingen/nieuw/", views.invitation_create, name="invitation_create"),
    path(
        "beheer/uitnodigingen/<uuid:uuid>/opnieuw/",
        views.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "beheer/uitnodigingen/<uuid:uuid>/intrekken/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("beheer/instellingen/", views.agency_settings, name="agency_settings"),
    path("beheer/audit/", views.audit_log, name="audit_log"),
    path("mijn-dossier/inzage/", views.my_file_access, name="my_file_access"),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("uitnodiging/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
