from django.urls import path

from . import views

app_name = "overdracht"

urlpatterns = [
    path("", views.transfers, name="transfers"),
    path("<uuid:uuid>/", views.transfer, name="transfer"),
    path("<uuid:uuid>/voortgang/", views.transfer_progress, name="transfer_progress"),
    path("<uuid:uuid>/importeren/", views.transfer_start, name="transfer_start"),
    path("export/werkgever/<uuid:uuid>/", views.export_employer, name="export_employer"),
    path("export/traject/<uuid:uuid>/", views.export_trajectory, name="export_trajectory"),
]
