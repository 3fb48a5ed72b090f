"""Goal pages."""

from django.urls import path

from trappen.web.goals import views

urlpatterns = [
    path("", views.goal_list, name="goal_list"),
    path("new/", views.goal_new, name="goal_new"),
]
