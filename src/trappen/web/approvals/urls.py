from django.urls import path

from trappen.web.approvals import views

urlpatterns = [
    path("", views.approval_list, name="approval_list"),
    path("<int:approval_id>/", views.approval_decide, name="approval_decide"),
]
