from django.urls import path

from trappen.web.api.api import api

urlpatterns = [path("", api.urls)]
