"""Users and their roles. Scoping (which children a user may see) lives in the selectors."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

ROLES = ("caseworker", "teamleader", "partner", "analyst", "economist", "admin", "national_analyst")
"""caseworker and teamleader see their districts' children; admin sees all; partner (a school,
daycare or health visitor) sees only the children linked to them; analyst and economist see no
names (the economist keeps prices, budgets, accounts and investment cases); national_analyst sees
only the national store's aggregates across municipalities (trappen.web.national)."""


class User(AbstractUser):
    role = models.CharField(max_length=16, choices=[(r, r) for r in ROLES], default="caseworker")
    districts = models.ManyToManyField("register.District", blank=True, related_name="users")
    team = models.ForeignKey("register.Team", on_delete=models.SET_NULL, null=True, blank=True)
    linked_children = models.ManyToManyField("register.Child", blank=True, related_name="partners")
    otp_enrol_until = models.DateTimeField(null=True, blank=True)
    """Until when the user may set up an authenticator app (a second factor is never set up on
    the password alone after that): opened when the account is made and when an administrator
    resets the second factor, for ``TRAPPEN_OTP_ENROL_HOURS``."""
