from django.apps import AppConfig


class EvaluationConfig(AppConfig):
    name = "trappen.web.evaluation"
    label = "evaluation"
