"""An approval request: an intervention a caseworker asked to start on a step that needs approval.

Operational only (not in the analytic register). The foreign key to the child is
``on_delete=CASCADE``, so a register load (``register_bulk_load``) deletes the requests with the
register they belong to; the episodes it points at are nullable and set to NULL first.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from trappen.web.register.models import Child, Episode

PENDING, APPROVED, REJECTED = "pending", "approved", "rejected"
STATUSES = (PENDING, APPROVED, REJECTED)


class ApprovalRequest(models.Model):
    """Start ``intervention_code`` on ``step`` for ``child`` from ``start_date``, once approved."""

    class Status(models.TextChoices):
        PENDING = PENDING, _("Awaiting approval")
        APPROVED = APPROVED, _("Approved")
        REJECTED = REJECTED, _("Rejected")

    child = models.ForeignKey(Child, on_delete=models.CASCADE, related_name="approval_requests")
    intervention_code = models.CharField(max_length=64)
    step = models.PositiveSmallIntegerField()
    start_date = models.DateField()
    planned_end = models.DateField(null=True, blank=True)
    justification = models.JSONField(default=dict, blank=True)
    """The escalation reasons the form collected: ``{step: why that lower step does not meet the need}``."""
    provider = models.CharField(max_length=200, blank=True)
    price = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    end_episode = models.ForeignKey(Episode, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="approval_requests_ending")
    """The running intervention to end on the start date (a step up), when the caseworker asked."""
    end_episode_version = models.PositiveIntegerField(null=True, blank=True)
    without_consent = models.BooleanField(default=False)
    committee_decision = models.CharField(max_length=64, blank=True, default="")
    """The key of the decision reserved for børn og unge-udvalget (approvals.toml ``[[committee]]``),
    empty when the administration decides."""
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=Status.choices, default=PENDING)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField(blank=True, default="")
    committee_decided_on = models.DateField(null=True, blank=True)
    """The date of the committee's decision (a reserved decision only)."""
    episode = models.ForeignKey(Episode, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="approval_requests_started")
    """The intervention the approval started."""

    class Meta:
        indexes = [models.Index(fields=["status", "child"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(status__in=STATUSES), name="approval_status_known"),
        ]

    def __str__(self) -> str:
        return f"approval request {self.pk}"

    @property
    def committee(self) -> bool:
        """Whether the decision is reserved for børn og unge-udvalget."""
        return bool(self.committee_decision)
