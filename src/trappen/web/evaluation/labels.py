"""What the evaluation page shows for its outcome columns and comparison kinds (labels, never
the panel's column names); the definitions are :data:`trappen.evaluation.OUTCOMES_DOC`."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

OUTCOMES: dict[str, Promise] = {
    "placements_per_1000": _("Children placed per 1,000 children"),
    "new_placements_per_1000": _("New placements per 1,000 children"),
    "new_preventive_per_1000": _("New preventive measures per 1,000 children"),
    "notifications_per_1000": _("Notifications per 1,000 children"),
    "caseload_per_fte": _("Open cases per caseworker FTE"),
    "spending_per_child": _("Spending per child (DKK)"),
}

COMPARISONS: dict[str, Promise] = {
    "treated_vs_never": _("Changed against never changed"),
    "earlier_vs_later": _("Earlier against later (not yet changed)"),
    "later_vs_earlier": _("Later against earlier (already changed: the problematic one)"),
}


def outcome_label(code: str) -> str:
    return str(OUTCOMES.get(code, code))


def comparison_label(code: str) -> str:
    return str(COMPARISONS.get(code, code))
