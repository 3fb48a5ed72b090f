"""``POST /api/v1/forecasts``: levers in, aggregate projection out (no child-level data).

The body is validated by the page's :class:`~trappen.web.forecasts.forms.LeversForm`, so a bad
lever is a 422 naming it, with the page's message. Access: ``forecast``/``view``.
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema

from trappen.web.forecasts import selectors as sel
from trappen.web.forecasts.forms import LeversForm
from trappen.web.forecasts.views import forecast_access

router = Router(tags=["forecasts"])


class LeversIn(Schema):
    months: int = 60
    caseload_per_caseworker: float | None = None
    closed_steps: list[int] = []
    cap_step: int | None = None
    cap_places: int | None = None
    entrant_rate_change_pct: float = 0.0
    population_growth_pct_per_year: float = 0.0
    exit_rate_change_pct: float = 0.0
    adjust_from: int | None = None
    adjust_to: int | None = None
    adjust_multiply: float | None = None
    adjust_add_pct: float | None = None
    window_months: int | None = None
    sex: str | None = None
    age_from: int | None = None
    age_to: int | None = None
    inflation_pct_per_year: float = 0.0


class StateSeries(Schema):
    state: str
    mean: list[float]
    p10: list[float]
    p50: list[float]
    p90: list[float]
    expected: list[float]
    baseline: list[float]
    diff_from_baseline: list[float]


class CostYear(Schema):
    year: int
    baseline_cost_dkk: float
    scenario_cost_dkk: float
    diff_cost_dkk: float


class TypeCost(Schema):
    year: int
    step: int
    type_code: str
    cost_dkk: float


class ForecastOut(Schema):
    cutoff: str
    months: list[str]
    replicates: int
    seed: int
    states: list[StateSeries]
    cost_per_year: list[CostYear]
    cost_by_intervention: list[TypeCost]


def forecast_payload(result: sel.ForecastResult, *, cutoff: str, by_type: list[dict[str, object]] | None = None
                     ) -> dict[str, object]:
    """The API's JSON for one forecast: per state and month, aggregate counts only."""
    sim, exp, base = result.simulated, result.expected, result.baseline
    states = [{"state": label, "mean": sim.mean[:, s].tolist(), "p10": sim.p10[:, s].tolist(),
               "p50": sim.p50[:, s].tolist(), "p90": sim.p90[:, s].tolist(),
               "expected": exp.mean[:, s].tolist(), "baseline": base.mean[:, s].tolist(),
               "diff_from_baseline": (exp.mean[:, s] - base.mean[:, s]).tolist()}
              for s, label in enumerate(sim.labels)]
    return {"cutoff": cutoff, "months": [d.isoformat() for d in sim.month_dates],
            "replicates": sim.replicates, "seed": sim.seed, "states": states,
            "cost_per_year": sel.cost_per_year(result).to_dicts(), "cost_by_intervention": by_type or []}


@router.post("", response={200: ForecastOut}, summary="Forecast children per step for a set of levers")
def forecast_create(request: HttpRequest, payload: LeversIn) -> dict[str, object]:
    forecast_access(request.auth)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    data["closed_steps"] = [str(s) for s in payload.closed_steps]
    form = LeversForm(data)
    if not form.is_valid():
        raise form.problems()
    levers = form.levers()
    model = sel.forecast_model(levers)
    result = sel.forecast_run(model, levers=levers)
    by_type = sel.cost_by_intervention(result, cutoff=model.cutoff).to_dicts()
    return forecast_payload(result, cutoff=model.cutoff.isoformat(), by_type=by_type)
