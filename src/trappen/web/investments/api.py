"""Investment case operations of the JSON API (mounted at /api/v1/investments).

``POST /evaluate`` takes a case as JSON (the TOML file's keys) and returns the same figures as
:func:`trappen.economics.evaluate_case`; a bad key is 422 naming it (the API's InvalidInput
handler). ``GET /{case_id}`` returns a saved case and its evaluation. Both need
``investment``/``view`` (403 otherwise); an unknown case is 404.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Body, Router

from trappen.economics import case_from_dict, evaluate_case, simulate_case
from trappen.web.investments import selectors as sel
from trappen.web.investments.services import require

router = Router(tags=["investments"])


def _payload(result: Any, simulation: dict[str, object] | None) -> dict[str, object]:
    return {"summary": result.summary(), "simulation": simulation,
            "yearly": result.yearly().to_dicts()}


@router.post("/evaluate")
def evaluate(request: HttpRequest, case: dict[str, Any] = Body(...)) -> dict[str, object]:  # noqa: B008
    """Evaluate a case given as JSON; ``summary`` equals ``evaluate_case(...).summary()``."""
    require(request.auth, "view")
    core = case_from_dict(case)
    sim = (simulate_case(core, draws=sel.SIMULATION_DRAWS, seed=sel.SIMULATION_SEED).summary
           if core.uncertain else None)
    return _payload(evaluate_case(core), sim)


@router.get("/{case_id}")
def case_get(request: HttpRequest, case_id: int) -> dict[str, object]:
    """A saved case: id, name, adopted, its TOML, and the evaluation."""
    case = sel.case_for_user(request.auth, case_id)
    ev = sel.evaluate_text(case.toml_text)
    return {"id": case.pk, "name": case.name, "adopted": case.adopted, "toml": case.toml_text,
            **_payload(ev.result, ev.simulation)}
