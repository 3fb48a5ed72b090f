"""Saved investment cases: the TOML text is the case (the same file `trappen invest run` reads)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class InvestmentCase(models.Model):
    name = models.CharField(max_length=200)
    toml_text = models.TextField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="investment_cases")
    adopted = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=0, db_default=0)
    """Optimistic lock: each save of the case's text bumps it; a save carrying an older version is
    refused (two economists editing one case, #14 item 4)."""
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ("-updated_at", "-pk")

    def __str__(self) -> str:
        return self.name
