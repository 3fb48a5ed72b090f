"""Audit pages for the data-protection officer."""

from django.urls import path

from trappen.web.audit import views

urlpatterns = [
    path("", views.audit_search, name="audit_search"),
    path("children/<int:child_id>.csv", views.audit_child_export, name="audit_child_export"),
]
