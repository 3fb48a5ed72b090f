"""The ledger of deliveries to Danmarks Statistik, and the custody holders the L201 needs.

A :class:`Delivery` is what was sent (statistic, period, kind), when and by whom, and the
sha256 of the file; its :class:`DeliveryRecord` rows are the records, without CPR numbers (the
child's pseudonymous id and an opaque identity token). The file is not stored: it is rebuilt
from the records and must give the same checksum (``services.dst_delivery_file``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from trappen.exchange.dst import KINDS, REPORT_TYPES, STATISTICS

STATUSES = ("built", "accepted", "rejected")
"""built: validated and stored, not yet answered by DST; accepted: DST's receipt says it was
received (it counts in the ledger); rejected: DST refused it (it does not count)."""


def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


class CustodyHolder(models.Model):
    """The child's custody holder (forældremyndighedsindehaver), reported in L201. OPERATIONAL
    ONLY: the CPR number is encrypted like the child's and never leaves this database except in
    the delivery file."""

    child = models.ForeignKey("register.Child", on_delete=models.CASCADE, related_name="custody_holders")
    cpr_encrypted = models.BinaryField()
    cpr_lookup = models.CharField(max_length=128)
    start_date = models.DateField()
    registered_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["child", "start_date"], name="custody_holder_unique")]


class Delivery(models.Model):
    statistic = models.CharField(max_length=4, choices=_choices(STATISTICS))
    kind = models.CharField(max_length=12, choices=_choices(KINDS))
    period_start = models.DateField()
    period_end = models.DateField()
    period_label = models.CharField(max_length=20)
    test = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=_choices(STATUSES), default="built")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_by_username = models.CharField(max_length=150)
    communication_at = models.DateTimeField()
    """The file's CommunicationDateTime (local time at build), kept to rebuild the same bytes."""
    sender = models.JSONField()
    """The envelope's municipality, CVR, P-number, contacts and system version at build."""
    sha256 = models.CharField(max_length=64)
    file_name = models.CharField(max_length=120)
    size_bytes = models.PositiveIntegerField()
    counts = models.JSONField(default=dict)
    report = models.JSONField(default=dict)
    """The validation report (issues by measure id; never a CPR number)."""
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by_username = models.CharField(max_length=150, blank=True, default="")
    receipt_note = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = [models.Index(fields=["statistic", "test", "status"])]

    def __str__(self) -> str:
        return f"{self.statistic} {self.period_label} #{self.pk}"


class DeliveryRecord(models.Model):
    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="records")
    measure_id = models.CharField(max_length=50)
    child_id = models.BigIntegerField()
    """The child's pseudonymous id (no foreign key: the ledger outlives a deleted record)."""
    report_type = models.CharField(max_length=10, choices=_choices(REPORT_TYPES))
    code = models.CharField(max_length=3)
    start_date = models.DateField()
    end_date = models.DateField(null=True, blank=True)
    identity = models.CharField(max_length=300, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["delivery", "measure_id"], name="dst_record_unique")]
