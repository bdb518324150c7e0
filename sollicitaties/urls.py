from django.urls import path

from . import views

app_name = "sollicitaties"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("overzicht/", views.overview, name="overview"),
    path("traject/<uuid:uuid>/nieuw/", views.activity_new, name="new"),
    path("traject/<uuid:uuid>/uitzendbureau/", views.temp_agency_new, name="temp_agency_new"),
    path("traject/<uuid:uuid>/norm/", views.norm_edit, name="norm_edit"),
    path("traject/<uuid:uuid>/export.csv", views.export_csv, name="export_csv"),
    path(
        "traject/<uuid:uuid>/vacature/<uuid:vacancy_uuid>/",
        views.from_vacancy,
        name="from_vacancy",
    ),
    path("<uuid:uuid>/", views.activity_detail, name="detail"),
    path("<uuid:uuid>/wijzigen/", views.activity_edit, name="edit"),
    path("<uuid:uuid>/status/", views.activity_status, name="status"),
    path("<uuid:uuid>/status/terug/", views.activity_status_undo, name="status_undo"),
    path("<uuid:uuid>/bewijs/", views.evidence_add, name="evidence_add"),
    path("bewijs/<uuid:uuid>/", views.evidence_download, name="evidence_download"),
    path("jobport/", views.vacancy_list, name="vacancies"),
    path("jobport/nieuw/", views.vacancy_edit, name="vacancy_new"),
    path("jobport/import/", views.vacancy_import, name="vacancy_import"),
    path("jobport/<uuid:uuid>/", views.vacancy_edit, name="vacancy_edit"),
]
