from django.urls import path

from . import views

app_name = "trajecten"

urlpatterns = [
    path("<uuid:uuid>/", views.trajectory_detail, name="trajectory_detail"),
]
