"""Audit pages: the data-protection officer's whole log, the team leader's team log."""

from django.urls import path

from trappen.web.audit import views

urlpatterns = [
    path("", views.audit_search, name="audit_search"),
    path("children/<int:child_id>.csv", views.audit_child_export, name="audit_child_export"),
    path("team/", views.audit_team, name="audit_team"),
    path("team.csv", views.audit_team_export, name="audit_team_export"),
]
