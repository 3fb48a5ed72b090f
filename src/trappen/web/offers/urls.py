"""Offer catalogue pages."""

from django.urls import path

from trappen.web.offers import views

urlpatterns = [
    path("", views.offer_list, name="offer_list"),
    path("availability/", views.offer_availability, name="offer_availability"),
    path("import/", views.offer_import, name="offer_import"),
    path("offers.xlsx", views.offer_export, name="offer_export"),
    path("<str:offer_id>/", views.offer_detail, name="offer_detail"),
    path("<str:offer_id>/edit/", views.offer_edit, name="offer_edit"),
    path("<str:offer_id>/closing/", views.offer_closing, name="offer_closing"),
    path("<str:offer_id>/investment-case/", views.offer_to_case, name="offer_to_case"),
]
