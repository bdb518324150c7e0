from django.urls import path

from .views import (
    caseload,
    configuration,
    create,
    duplicates,
    employee,
    file,
    messages,
    records,
)

app_name = "trajecten"

urlpatterns = [
    path("", caseload.trajectory_list, name="list"),
    path("zoeken/", caseload.search, name="search"),
    path("berichten/", messages.inbox, name="inbox"),
    path("<uuid:uuid>/berichten/", messages.thread, name="messages"),
    path("nieuw/", create.trajectory_new, name="new"),
    path("beheer/prijzen/", configuration.prices, name="prices"),
    path("beheer/mogelijk-dubbel/", duplicates.possible_duplicates, name="possible_duplicates"),
    path(
        "beheer/mogelijk-dubbel/<uuid:uuid>/<slug:decision>/",
        duplicates.possible_duplicate_decide,
        name="possible_duplicate_decide",
    ),
    path("beheer/actielijsten/", configuration.action_lists, name="action_lists"),
    path("beheer/actielijsten/nieuw/", configuration.action_list_edit, name="action_list_new"),
    path("beheer/actielijsten/<int:pk>/", configuration.action_list_edit, name="action_list_edit"),
    path("<uuid:uuid>/", file.trajectory_file, name="file"),
    path("<uuid:uuid>/gegevens/", file.summary_edit, name="summary_edit"),
    path("<uuid:uuid>/werknemer/", file.employee_edit, name="employee_edit"),
    path("<uuid:uuid>/wvp/", file.wvp_edit, name="wvp_edit"),
    path("<uuid:uuid>/verlenging/", file.extension_add, name="extension_add"),
    path("<uuid:uuid>/fase/", file.phase_set, name="phase_set"),
    path("<uuid:uuid>/afsluiten/", file.close, name="close"),
    path("<uuid:uuid>/accepteren/", file.accept_referral, name="accept"),
    path("<uuid:uuid>/starten/", file.start, name="start"),
    path("<uuid:uuid>/leden/nieuw/", file.member_add, name="member_add"),
    path("<uuid:uuid>/leden/<int:member_id>/weg/", file.member_remove, name="member_remove"),
    path("<uuid:uuid>/actielijst/", file.action_list_apply, name="action_list_apply"),
    path("<uuid:uuid>/taken/<uuid:task_uuid>/klaar/", file.task_done, name="task_done"),
    path("<uuid:uuid>/zoekprofiel/nieuw/", records.search_profile_new, name="search_profile_new"),
    path("<uuid:uuid>/<slug:kind>/nieuw/", records.record_edit, name="record_new"),
    path("<uuid:uuid>/<slug:kind>/", records.record_edit, name="record_single"),
    path("<uuid:uuid>/<slug:kind>/<uuid:record_uuid>/", records.record_edit, name="record_edit"),
    path(
        "<uuid:uuid>/gesprek/<uuid:record_uuid>/medisch-corrigeren/",
        records.medical_flag_clear,
        name="medical_flag_clear",
    ),
    path("bestand/<slug:kind>/<uuid:uuid>/", records.download, name="download"),
    path("opdrachten/<uuid:uuid>/klaar/", employee.assignment_done, name="assignment_done"),
    path("agenda/", employee.calendar_settings, name="calendar"),
    path("agenda/<str:token>.ics", employee.calendar_feed, name="calendar_feed"),
]
