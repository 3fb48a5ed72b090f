"""Evaluation page."""

from django.urls import path

from trappen.web.evaluation import views

urlpatterns = [
    path("", views.evaluation, name="evaluation"),
]
