from django.urls import path

from . import views

app_name = "kwaliteit"

urlpatterns = [
    path("resultaten/", views.results, name="results"),
    path("resultaten/pdf/", views.results_pdf, name="results_pdf"),
    path("enquete/<str:token>/", views.survey, name="survey"),
    path("enquete/<str:token>/nee/", views.survey_decline, name="survey_decline"),
]
