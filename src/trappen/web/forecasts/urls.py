"""Forecast page."""

from django.urls import path

from trappen.web.forecasts import views

urlpatterns = [
    path("", views.forecast, name="forecasts"),
    path("forecast.<str:fmt>", views.forecast_download, name="forecast_download"),
    path("investment-case/", views.forecast_to_case, name="forecast_to_case"),
]
