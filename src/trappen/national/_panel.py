"""Adoption years from the national store feed the evaluation across municipalities: the
staggered difference-in-differences (:func:`trappen.evaluation.staggered_did`, municipalities as
the units, adoption years as the cohorts) and the synthetic control
(:func:`trappen.evaluation.synthetic_control`, one adopting municipality against those that
never adopted in the window)."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from trappen.errors import InvalidInput, Problem
from trappen.evaluation import DidResult, SyntheticControlResult, staggered_did, synthetic_control
from trappen.national._figures import top_cells


def outcome_frame(rows: pl.DataFrame, *, kpi: str, step: str | None = None) -> pl.DataFrame:
    """``municipality``, ``year``, ``value`` of one KPI cell (hidden cells are null)."""
    cells = top_cells(rows)
    if cells.is_empty() or kpi not in set(cells["kpi_code"].to_list()):
        raise InvalidInput(Problem(field="kpi", value=kpi, message="no such KPI in the national store"))
    part = cells.filter((pl.col("kpi_code") == kpi) & (pl.col("step").is_null() if step is None
                                                        else pl.col("step") == step))
    return part.select(municipality=pl.col("municipality_code"), year=pl.col("year").cast(pl.Int32),
                       value=pl.when(~pl.col("suppressed")).then(pl.col("value"))).sort("municipality", "year")


def evaluation_panel(rows: pl.DataFrame, *, adoption: Mapping[str, int], kpi: str,
                     step: str | None = None) -> tuple[pl.DataFrame, list[str]]:
    """The balanced panel for :func:`staggered_did`: ``municipality_code``, ``year``,
    ``period_index`` (years since the first), ``adoption_index`` (the adoption year's index; null
    when the municipality had not adopted by the last year) and ``outcome``. Municipalities with a
    hidden or missing year are left out (returned second, by code)."""
    frame = outcome_frame(rows, kpi=kpi, step=step)
    all_years = sorted(frame["year"].unique().to_list())
    complete = frame.group_by("municipality").agg(
        ok=(pl.col("value").is_not_null() & pl.col("value").is_not_nan()).sum() == len(all_years))
    keep = sorted(complete.filter(pl.col("ok"))["municipality"].to_list())
    dropped = sorted(set(complete["municipality"].to_list()) - set(keep))
    first, last = all_years[0], all_years[-1]
    panel = frame.filter(pl.col("municipality").is_in(keep)).select(
        municipality_code=pl.col("municipality"), year=pl.col("year"),
        period_index=pl.col("year") - first,
        adoption_index=pl.col("municipality").replace_strict(
            {c: (y - first if y <= last else None) for c, y in adoption.items()}, default=None,
            return_dtype=pl.Int32),
        outcome=pl.col("value"))
    return panel, dropped


def national_did(rows: pl.DataFrame, *, adoption: Mapping[str, int], kpi: str, step: str | None = None,
                 draws: int = 199, seed: int = 0) -> tuple[DidResult, list[str]]:
    """Staggered DiD across municipalities (not-yet-treated controls); the municipalities left out."""
    panel, dropped = evaluation_panel(rows, adoption=adoption, kpi=kpi, step=step)
    if panel.is_empty():
        raise InvalidInput(Problem(field="kpi", value=kpi, message="no municipality has every year of this KPI"))
    cohorts = panel.filter(pl.col("adoption_index") > 0)["municipality_code"].unique()
    if cohorts.is_empty():
        first, last = int(panel["year"].min()), int(panel["year"].max())  # type: ignore[arg-type]
        raise InvalidInput(Problem(field="adoption", value=len(adoption), message=(
            f"no municipality with every year of this KPI adopted the model after {first} and by {last}: "
            "nothing to compare")))
    result = staggered_did(panel, outcome="outcome", unit="municipality_code", time="period_index",
                           cohort="adoption_index", draws=draws, seed=seed)
    return result, dropped


def national_synth(rows: pl.DataFrame, *, adoption: Mapping[str, int], kpi: str, treated: str,
                   step: str | None = None) -> SyntheticControlResult:
    """Synthetic control for ``treated`` (its adoption year from the store) with the
    municipalities that had not adopted by the last year as donors."""
    if treated not in adoption:
        raise InvalidInput(Problem(field="treated", value=treated, message="no adoption year for this municipality"))
    frame = outcome_frame(rows, kpi=kpi, step=step)
    last = int(frame["year"].max())  # type: ignore[arg-type]
    donors = [c for c in frame["municipality"].unique().to_list() if adoption.get(c, last + 1) > last]
    return synthetic_control(frame, treated=treated, first_treated_year=adoption[treated], donors=donors,
                             placebos=True)
