"""Security pages: second factor, and (when enabled) OpenID Connect single sign-on."""

from django.conf import settings
from django.urls import include, path

from trappen.web.security import tokens, views

urlpatterns = [
    path("otp/setup/", views.otp_setup, name="otp_setup"),
    path("otp/verify/", views.otp_verify, name="otp_verify"),
    path("otp/recovery/", views.otp_recovery, name="otp_recovery"),
    path("children/<int:child_id>/purpose/", views.child_purpose, name="child_purpose"),
    path("tokens/", tokens.api_tokens, name="api_tokens"),
    path("tokens/<int:token_id>/revoke/", tokens.api_token_revoke, name="api_token_revoke"),
]
if getattr(settings, "OIDC_ENABLED", False):
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))
