"""Economics data kept in the database: the date-ranged unit prices (history kept), the budget
per step and year, and the imported accounts with the bucket each line was mapped to.

None of it is personal data: prices and amounts per intervention type, step or account.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Price(models.Model):
    """One rate of :class:`trappen.economics.RateTable`: ``[valid_from, valid_to)``, open-ended
    when ``valid_to`` is null. A new price closes the previous one; rows are never deleted."""

    intervention_code = models.CharField(max_length=64)
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)
    cost_dkk_per_day = models.FloatField()
    price_year = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="+")  # null: seeded from the catalogue
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("intervention_code", "valid_from")
        constraints = [models.UniqueConstraint(fields=("intervention_code", "valid_from"),
                                               name="price_one_start_per_code")]


class BudgetLine(models.Model):
    """The budget of one step for one year (:func:`trappen.economics.load_budget`)."""

    step = models.PositiveSmallIntegerField()
    year = models.PositiveSmallIntegerField()
    budget_dkk = models.FloatField()
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("year", "step")
        constraints = [models.UniqueConstraint(fields=("step", "year"), name="budget_one_line_per_step_year")]


class AccountLine(models.Model):
    """One line of the municipality's accounts and the bucket the mapping put it in
    (:func:`trappen.economics.map_accounts`)."""

    year = models.PositiveSmallIntegerField()
    row = models.PositiveIntegerField()  # data row in the imported file
    account = models.CharField(max_length=64)
    function = models.CharField(max_length=64)
    amount_dkk = models.FloatField()
    bucket = models.CharField(max_length=64)
    mapping_name = models.CharField(max_length=300)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("year", "row")
