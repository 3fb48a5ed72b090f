"""Goals on KPIs (målsætninger): the stored form of :class:`trappen.kpi.Goal`."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Goal(models.Model):
    kpi_code = models.CharField(max_length=60)
    baseline_value = models.FloatField()
    baseline_date = models.DateField()
    target_value = models.FloatField()
    target_date = models.DateField()
    district = models.CharField(max_length=20, blank=True, default="")  # "" = whole municipality
    note = models.CharField(max_length=300, blank=True, default="")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="kpi_goals")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ("target_date", "kpi_code", "pk")

    def __str__(self) -> str:
        return f"{self.kpi_code} -> {self.target_value} by {self.target_date}"
