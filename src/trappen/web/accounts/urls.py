"""User administration pages (the administrator: user view/create/change)."""

from django.urls import path

from trappen.web.accounts import views

urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("new/", views.user_new, name="user_new"),
    path("<int:user_id>/", views.user_edit, name="user_edit"),
    path("<int:user_id>/password/", views.user_password, name="user_password"),
    path("<int:user_id>/deactivate/", views.user_deactivate, name="user_deactivate"),
    path("<int:user_id>/two-factor-reset/", views.user_otp_reset, name="user_otp_reset"),
    path("<int:user_id>/reactivate/", views.user_reactivate, name="user_reactivate"),
]
