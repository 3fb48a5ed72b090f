"""The demo's investment cases, so the team leader's and the economist's /investments/ is not
empty: the TOML files in ``demo_cases/`` (each figure with its source: the shared reference unit
costs and the Herning calibration; what is assumed says so), saved by the demo economist through
:func:`~trappen.web.investments.services.case_save` (validated, audited). Idempotent: a case
already saved under its name is left alone, or updated in place when its file changed.
FOR THE SYNTHETIC DEMO ONLY."""

from __future__ import annotations

from importlib.resources import files

from django.contrib.auth import get_user_model
from django.db import transaction

from trappen.web.investments.models import InvestmentCase
from trappen.web.investments.services import case_save, parse_case_text

DEMO_CASES = files("trappen.web.investments") / "demo_cases"


def demo_case_texts() -> list[str]:
    """The TOML text of each demo case, in file-name order."""
    return [f.read_text(encoding="utf-8") for f in sorted(DEMO_CASES.iterdir(), key=lambda f: f.name)
            if f.name.endswith(".toml")]


@transaction.atomic
def demo_investments_load(*, username: str = "economist") -> dict[str, int]:
    """Save the demo cases as the demo user ``username`` (an economist); how many were created,
    updated and already there."""
    user = get_user_model().objects.get(username=username)
    out = {"created": 0, "updated": 0, "unchanged": 0}
    for text in demo_case_texts():
        name = parse_case_text(text).name[:200]
        case = InvestmentCase.objects.filter(name=name).order_by("pk").first()
        if case is None:
            case_save(user=user, toml_text=text)
            out["created"] += 1
        elif case.toml_text != text:
            case_save(user=user, toml_text=text, case=case)
            out["updated"] += 1
        else:
            out["unchanged"] += 1
    return out
