"""The offer catalogue in the database (tilbud, docs/offers.md): offers, their price periods,
their edit history, and the waiting list of decided interventions without a place.

Fields follow :class:`trappen.offers.Offer`, so a row converts to the core's model and back
(:mod:`trappen.web.offers.selectors`); the core validates every write.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Offer(models.Model):
    offer_id = models.CharField(max_length=64, unique=True)
    """The catalogue's own id (the files' ``offer_id``); URLs use it."""
    name = models.CharField(max_length=200)
    provider_kind = models.CharField(max_length=32)
    provider_name = models.CharField(max_length=200, blank=True, default="")
    steps = models.JSONField(default=list)
    intervention_codes = models.JSONField(default=list)
    legal_basis = models.CharField(max_length=200, blank=True, default="")
    age_min_years = models.PositiveSmallIntegerField()
    age_max_years = models.PositiveSmallIntegerField()
    target_needs = models.TextField(blank=True, default="")
    places = models.PositiveIntegerField()
    opened_on = models.DateField()
    closing_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    national_register_id = models.CharField(max_length=64, null=True, blank=True)
    programme = models.CharField(max_length=200, null=True, blank=True)
    evidence_level = models.CharField(max_length=32, default="not_assessed")
    evidence_source = models.TextField(blank=True, default="")
    expected_effect_smd = models.FloatField(null=True, blank=True)
    expected_effect_se = models.FloatField(null=True, blank=True)
    effect_source = models.TextField(blank=True, default="")
    version = models.PositiveIntegerField(default=0)
    """Optimistic lock: each edit bumps it; an edit carrying an older version is refused."""

    class Meta:
        ordering = ("offer_id",)

    def __str__(self) -> str:
        return self.name


class OfferPrice(models.Model):
    """The offer's own price per day in ``[valid_from, valid_to)`` (None = open-ended)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="prices")
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    price_dkk_per_day = models.FloatField()
    price_year = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ("offer", "valid_from")


class OfferRevision(models.Model):
    """The offer as it was before an edit or an import changed it: edits are new versions, the
    earlier ones are kept (who, when, what)."""

    offer = models.ForeignKey(Offer, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    data = models.JSONField()
    """The offer's fields and prices while ``version`` was current (the files' column names)."""
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    changed_at = models.DateTimeField()
    how = models.CharField(max_length=32)
    """``edit`` (the form) or ``import`` (a file)."""

    class Meta:
        ordering = ("-changed_at", "-pk")
        constraints = [models.UniqueConstraint(fields=["offer", "version"], name="offer_revision_unique")]


class WaitingEntry(models.Model):
    """A decided intervention waiting for a place: from ``decided_on`` until a place is found
    (``placed_on``, with the episode it started) or the wait is given up (``cancelled_on``)."""

    child = models.ForeignKey("register.Child", on_delete=models.CASCADE, related_name="waiting_entries")
    step = models.PositiveSmallIntegerField()
    intervention_code = models.CharField(max_length=64)
    offer = models.ForeignKey(Offer, on_delete=models.PROTECT, null=True, blank=True, related_name="waiting")
    """The offer asked for, when one was (None: any offer on the step)."""
    decided_on = models.DateField()
    placed_on = models.DateField(null=True, blank=True)
    cancelled_on = models.DateField(null=True, blank=True)
    episode = models.ForeignKey("register.Episode", on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")

    class Meta:
        indexes = [models.Index(fields=["decided_on", "placed_on"])]
