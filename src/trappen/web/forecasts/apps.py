from django.apps import AppConfig


class ForecastsConfig(AppConfig):
    name = "trappen.web.forecasts"
    label = "forecasts"
