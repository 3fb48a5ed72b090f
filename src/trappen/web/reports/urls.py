"""The council report page."""

from django.urls import path

from trappen.web.reports import views

urlpatterns = [
    path("", views.council_report_page, name="council_report"),
]
