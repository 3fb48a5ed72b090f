"""The forecast bridge: a forecast scenario's shift of child-years becomes an investment case."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from trappen.economics._case_model import ShiftEffect
from trappen.errors import InvalidInput, Problem


def shift_effect_from_frames(
    scenario: pl.DataFrame, baseline: pl.DataFrame, *, start_year: int, horizon_years: int, source: str = ""
) -> ShiftEffect:
    """Effect (a) from a forecast: scenario minus baseline child-years per step and year.

    Args:
        scenario: columns year (calendar), step, child_years.
        baseline: the same columns for the baseline.
        start_year: calendar year of year index 0.
        horizon_years: number of years kept.

    Returns:
        A :class:`ShiftEffect` whose arrays have shape (horizon_years,); years or steps
        missing in one frame count as 0 child-years there.

    Raises:
        InvalidInput: a frame lacks a column.
    """
    need = ("year", "step", "child_years")
    for name, frame in (("scenario", scenario), ("baseline", baseline)):
        missing = [c for c in need if c not in frame.columns]
        if missing:
            raise InvalidInput([Problem(field=c, value=None, message="missing column", table=name) for c in missing])

    def prep(frame: pl.DataFrame, col: str) -> pl.DataFrame:
        return frame.group_by(pl.col("year").cast(pl.Int64), pl.col("step").cast(pl.Int64)).agg(
            pl.col("child_years").cast(pl.Float64).sum().alias(col)
        )

    diff = (
        prep(scenario, "s")
        .join(prep(baseline, "b"), on=["year", "step"], how="full", coalesce=True)
        .with_columns(
            (pl.col("s").fill_null(0.0) - pl.col("b").fill_null(0.0)).alias("d"),
            (pl.col("year") - start_year).alias("t"),
        )
        .filter((pl.col("t") >= 0) & (pl.col("t") < horizon_years))
    )
    by_step: dict[int, tuple[float, ...]] = {}
    for step in sorted(diff["step"].unique().to_list()):
        arr = np.zeros(horizon_years)
        part = diff.filter(pl.col("step") == step)
        arr[part["t"].to_numpy()] = part["d"].to_numpy()
        by_step[int(step)] = tuple(float(x) for x in arr)
    return ShiftEffect(child_years_by_step=by_step, source=source)


CASEWORKER_DKK_PER_FTE_YEAR = 483_000.0
CASEWORKER_PRICE_YEAR = 2022
CASEWORKER_COST_SOURCE = (
    "Caseworker (socialrådgiver) incl. pension, 483,000 DKK per full-time year (2022), "
    "Dansk Socialrådgiverforening, state employees (a proxy; reference/unit_costs.csv)"
)


def shift_case(
    *,
    name: str,
    description: str,
    scenario: pl.DataFrame,
    baseline: pl.DataFrame,
    start_year: int,
    horizon_years: int,
    price_year: int,
    prices: Mapping[int, float],
    prices_source: str,
    extra_fte: float = 0.0,
    dkk_per_fte_per_year: float = CASEWORKER_DKK_PER_FTE_YEAR,
    fte_price_year: int | None = CASEWORKER_PRICE_YEAR,
    fte_source: str = CASEWORKER_COST_SOURCE,
    effect_source: str = "",
) -> dict[str, object]:
    """An investment case (the dict :func:`case_from_dict` reads, :func:`case_to_toml` writes)
    whose effect (a) is a forecast scenario's shift of child-years against its baseline
    (:func:`shift_effect_from_frames`), priced per step for the municipality, with extra
    caseworkers as its cost when ``extra_fte`` > 0, and Herning's decision rule to check (when
    the horizon is longer than the rule's four years).

    Args:
        scenario, baseline: columns year, step, child_years (e.g.
            :meth:`trappen.forecast.Projection.child_years`).
        prices: DKK per child-year by step (``price_year`` prices).

    Raises:
        InvalidInput: as :func:`shift_effect_from_frames`.
    """
    shift = shift_effect_from_frames(scenario, baseline, start_year=start_year, horizon_years=horizon_years)
    moved = {s: ys for s, ys in shift.child_years_by_step.items() if any(abs(y) > 1e-9 for y in ys)}
    data: dict[str, object] = {
        "case": {
            "name": name,
            "description": description,
            "price_year": price_year,
            "start_year": start_year,
            "horizon_years": horizon_years,
        },
        "effect": {
            "kind": "shift",
            "child_years": {str(s): [round(y, 4) for y in ys] for s, ys in sorted(moved.items())},
            "source": effect_source,
        },
        "prices": [
            {
                "step": s,
                "municipality": round(float(prices.get(s, 0.0)), 2),
                "price_year": price_year,
                "source": prices_source,
            }
            for s in sorted(moved)
        ],
    }
    if horizon_years > 4:  # the rule checks year 4
        data["decision_rule"] = {
            "name": "Herning: earn back after 2 years, a surplus after 4",
            "earn_back_after_years": 2,
            "surplus_after_years": 4,
            "discounted": False,
        }
    if extra_fte > 0:
        data["costs"] = [
            {
                "name": "Extra caseworkers",
                "payer": "municipality",
                "fte": round(extra_fte, 2),
                "dkk_per_fte_per_year": dkk_per_fte_per_year,
                "price_year": fte_price_year or price_year,
                "source": fte_source,
            }
        ]
    return data
