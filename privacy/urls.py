from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("werknemers/<uuid:uuid>/inzage/", views.access_exports, name="access_exports"),
    path(
        "inzage/<uuid:uuid>/download/", views.access_export_download, name="access_export_download"
    ),
]
