"""Pages for deliveries to Danmarks Statistik."""

from django.urls import path

from trappen.web.dst import views

urlpatterns = [
    path("", views.dst_deliveries, name="dst_deliveries"),
    path("<int:delivery_id>/", views.dst_delivery_detail, name="dst_delivery_detail"),
    path("<int:delivery_id>/file/", views.dst_delivery_download, name="dst_delivery_download"),
    path("<int:delivery_id>/receipt/", views.dst_delivery_receipt, name="dst_delivery_receipt"),
]
