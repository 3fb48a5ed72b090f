"""Dashboard pages."""

from django.urls import path

from trappen.web.dashboards import views

urlpatterns = [
    path("", views.dashboard_index, name="dashboards"),
    path("<slug:key>/", views.dashboard, name="dashboard"),
]
