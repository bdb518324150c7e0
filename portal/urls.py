from django.urls import path

from . import history_views, team_views, views
from .webhooks import views as webhook_views

app_name = "portal"

urlpatterns = [
    path("werkgevers/", views.employer_list, name="employer_list"),
    path(
        "geschiedenis/<slug:key>/<uuid:uuid>/",
        history_views.record_history,
        name="record_history",
    ),
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
    path("beheer/team/", team_views.team_list, name="team"),
    path("beheer/team/<uuid:uuid>/", team_views.member_detail, name="team_member"),
    path(
        "beheer/team/<uuid:uuid>/deactiveren/",
        team_views.member_deactivate,
        name="team_member_deactivate",
    ),
    path(
        "beheer/team/<uuid:uuid>/activeren/",
        team_views.member_reactivate,
        name="team_member_reactivate",
    ),
    path(
        "beheer/team/<uuid:uuid>/tweestaps-herstellen/",
        team_views.member_mfa_reset,
        name="team_member_mfa_reset",
    ),
    path("beheer/team/<uuid:uuid>/overdragen/", team_views.member_transfer, name="team_transfer"),
    path("beheer/team/<uuid:uuid>/vervanging/", team_views.stand_in_create, name="stand_in_create"),
    path(
        "beheer/vervanging/<uuid:uuid>/verwijderen/",
        team_views.stand_in_delete,
        name="stand_in_delete",
    ),
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
    path("instellingen/meldingen/", views.notice_settings, name="notice_settings"),
    path("api-tokens/", views.api_tokens, name="api_tokens"),
    path("webhooks/", webhook_views.endpoints, name="webhooks"),
    path("webhooks/<uuid:uuid>/", webhook_views.endpoint, name="webhook"),
    path("uitnodiging/<str:token>/", views.invitation_accept, name="invitation_accept"),
]
