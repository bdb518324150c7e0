from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/werkgever/", views.employer_dashboard, name="employer"),
    path("dashboard/vandaag/", views.specialist_dashboard, name="specialist"),
    path("beheer/overzicht/", views.agency_overview, name="agency_overview"),
    path("beheer/facturatie/", views.billing, name="billing"),
]
