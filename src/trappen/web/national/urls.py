"""Pages of the national view."""

from django.urls import path

from trappen.web.national import views

urlpatterns = [
    path("", views.national_view, name="national_view"),
    path("evaluation/", views.national_evaluation, name="national_evaluation"),
    path("<str:code>/", views.national_municipality, name="national_municipality"),
]
