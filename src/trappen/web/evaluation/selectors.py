"""Every read that feeds the evaluation page: the staggered difference-in-differences of the
districts' adoption (:func:`trappen.evaluation.staggered_did`), the TWFE diagnostic with its
Goodman-Bacon decomposition, and the durations on the steps with competing exits.

No estimate is computed here: each part is a call to the pure core (the same functions the CLI
``trappen evaluate`` calls) on the cached analytic register of the dashboards
(:func:`trappen.web.dashboards.selectors.analytic_register`). For users outside the
case-working staff every count of children goes through :func:`trappen.kpi.disclosure.suppress`
before it is shown; figures derived from a hidden count are hidden with it.
"""

from __future__ import annotations

import base64
import io
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl
from django.utils.translation import gettext as _

from trappen.errors import InvalidInput
from trappen.evaluation import (
    EXIT_CAUSES,
    DidResult,
    TwfeResult,
    aalen_johansen,
    bacon_decomposition,
    build_panel,
    competing_exits,
    expected_years_on_steps,
    naive_km_risk,
    panel_arrays,
    staggered_did,
    twfe,
)
from trappen.evaluation._durations import DAYS_PER_YEAR
from trappen.kpi.disclosure import suppress
from trappen.register import Register
from trappen.web import rules
from trappen.web.dashboards.selectors import (
    CACHE_SECONDS,
    analytic_register,
)
from trappen.web.disclosure import DISCLOSURE_THRESHOLD, SUPPRESSION_MARK
from trappen.web.evaluation.labels import outcome_label

logger = logging.getLogger(__name__)

__all__ = ["CACHE_SECONDS", "DISCLOSURE_THRESHOLD", "DRAWS", "FREQ", "HORIZON_YEARS", "OUTCOMES",
           "RI_DRAWS", "SEED", "SUPPRESSION_MARK", "Evaluation",
           "analytic_register", "evaluation_for", "evaluation_window", "compute_evaluation"]

FREQ = "quarter"
"""Quarterly panel: monthly district rates of a 20,000-child municipality are mostly noise."""

WINDOW_YEARS = 5
"""The window: at least the five years up to the register's last quarter (as ``trappen evaluate``)."""

PRE_YEARS = 3
"""...and at least this many years before the first adoption, so that the first districts to
adopt have quarters before it (otherwise they are "always treated" and not evaluated)."""

DRAWS = 199
"""Wild-bootstrap draws on the page (the CLI defaults to 999): 199 keeps the page fast and is
the smallest count for which a 5% test is exact (Davidson & MacKinnon 2000: (B+1)·α integer)."""

RI_DRAWS = 99
"""Randomisation-inference permutations on the page (CLI default 499); (B+1)·α integer again."""

SEED = 1
"""Seed of the bootstrap and the permutations: the page shows the same numbers on every load."""

HORIZON_YEARS = 5.0
"""Horizon of the expected child-years on each step (as :func:`durations_tables`)."""

OUTCOMES = ("placements_per_1000", "new_placements_per_1000", "new_preventive_per_1000",
            "notifications_per_1000", "caseload_per_fte", "spending_per_child")
"""Outcomes offered on the page: rates only (a count per district is not comparable across
districts of different size); see :data:`trappen.evaluation.OUTCOMES_DOC`. Spending is at the
catalogue's prices (the economists' stored prices are not applied here)."""


def evaluation_window(register: Register) -> tuple[date, date]:
    """The half-open quarterly window evaluated: up to the quarter after the register's last
    episode start or notification; from :data:`WINDOW_YEARS` years before that, or
    :data:`PRE_YEARS` years before the first adoption if earlier, but not before the first
    episode."""
    dates = [register.episodes["start_date"].max(),
             register.notifications.select(pl.col("received_at").dt.date().max()).item()]
    last = max((d for d in dates if isinstance(d, date)), default=None) or date.today()
    month = 3 * ((last.month - 1) // 3) + 4
    end = date(last.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)
    start = date(end.year - WINDOW_YEARS, end.month, 1)
    adopted = register.districts["pilot_from"].drop_nulls()
    if adopted.len():
        first: date = adopted.min()  # type: ignore[assignment]
        start = min(start, date(first.year - PRE_YEARS, 3 * ((first.month - 1) // 3) + 1, 1))
    earliest = register.episodes["start_date"].min()
    if isinstance(earliest, date) and earliest > start:
        start = date(earliest.year, 3 * ((earliest.month - 1) // 3) + 1, 1)
    return start, end


@dataclass(frozen=True, kw_only=True)
class Evaluation:
    """What the page shows. ``result`` is None when no district adopts inside the window."""

    outcome: str
    start: date
    end: date
    result: DidResult | None
    twfe: TwfeResult | None
    bacon: pl.DataFrame | None
    event_study_svg: str = ""
    cif: pl.DataFrame = field(default_factory=pl.DataFrame)
    cif_svg: str = ""
    expected: pl.DataFrame = field(default_factory=pl.DataFrame)
    suppressed: bool = False
    notes: tuple[str, ...] = ()


def _svg_data_uri(fig: object) -> str:
    """A matplotlib figure as a ``data:`` URI of its SVG (the strict CSP allows data: images,
    not inline styles, and an SVG carries its own)."""
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg")  # type: ignore[attr-defined]
    plt.close(fig)  # type: ignore[arg-type]
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _event_study_svg(result: DidResult) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    es = result.event_study.sort("event_time")
    fig, ax = plt.subplots(figsize=(7, 3.6))
    x = es["event_time"].to_numpy()
    att = es["att"].to_numpy()
    ax.fill_between(x, es["band_low"].to_numpy(), es["band_high"].to_numpy(), color="tab:blue",
                    alpha=0.15, label=_("Simultaneous 95% band"))
    ax.errorbar(x, att, yerr=[att - es["ci_low"].to_numpy(), es["ci_high"].to_numpy() - att],
                fmt="o", color="tab:blue", ms=4, capsize=2, label=_("Effect, pointwise 95% interval"))
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(-0.5, color="grey", lw=0.8, ls="--")
    ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    ax.set_xlabel(_("Quarters since adoption"))
    ax.set_ylabel(outcome_label(result.outcome))
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    return _svg_data_uri(fig)


def _cif_svg(years: np.ndarray, codes: np.ndarray) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    aj = aalen_johansen(years, codes, n_causes=len(EXIT_CAUSES))
    km = naive_km_risk(years, codes, cause=1)
    fig, ax = plt.subplots(figsize=(7, 3.6))
    labels = {"breakdown": _("Breakdown (Aalen-Johansen)"), "planned_end": _("Planned end"),
              "moved_down": _("Moved down"), "moved_up": _("Moved up"), "turned_18": _("Turned 18")}
    for k, cause in enumerate(EXIT_CAUSES):
        ax.step(np.r_[0.0, aj["time"].to_numpy()], np.r_[0.0, aj[f"cif_{k + 1}"].to_numpy()],
                where="post", label=labels[cause], lw=2.0 if cause == "breakdown" else 1.0)
    ax.step(np.r_[0.0, km["time"].to_numpy()], np.r_[0.0, km["risk"].to_numpy()], where="post",
            color="tab:red", ls="--", label=_("Breakdown, naive 1 - Kaplan-Meier (overstated)"))
    ax.set_xlim(0, HORIZON_YEARS)
    ax.set_ylim(0, 1)
    ax.set_xlabel(_("Years since the placement started"))
    ax.set_ylabel(_("Cumulative incidence"))
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    return _svg_data_uri(fig)


def _protect_one_way(frame: pl.DataFrame, *, value_col: str, key: str, derived: list[str],
                     publish: bool) -> pl.DataFrame:
    """Suppress the count ``value_col`` (one-way table keyed by ``key``) and hide ``derived``
    with it, when ``publish``."""
    if not publish or frame.height == 0:
        return frame
    dtype = frame.schema[value_col]
    out = suppress(frame.with_columns(pl.col(value_col).cast(pl.Float64)), value_col=value_col,
                   row_dims=[key], col_dims=None, threshold=DISCLOSURE_THRESHOLD)
    shown = pl.col("suppression").is_null()
    return out.with_columns(pl.col(value_col).cast(dtype),
                            *[pl.when(shown).then(pl.col(d)).alias(d) for d in derived]
                            ).drop("suppression")


def _durations(register: Register, *, start: date, end: date, publish: bool,
               language: str) -> tuple[pl.DataFrame, str, pl.DataFrame]:
    exits = competing_exits(register, as_of=end).filter(pl.col("start_date") >= start)
    placed = exits.filter(pl.col("placement"))
    cif, svg = pl.DataFrame(), ""
    if placed.height:
        years = placed["duration_days"].to_numpy() / DAYS_PER_YEAR
        codes = placed["cause_code"].to_numpy()
        svg = _cif_svg(years, codes)
        aj = aalen_johansen(years, codes, n_causes=len(EXIT_CAUSES))
        km = naive_km_risk(years, codes, cause=1)
        grid = np.array([0.5, 1.0, 2.0, 3.0, 5.0])
        idx = np.searchsorted(aj["time"].to_numpy(), grid, side="right") - 1
        ok, pick = idx >= 0, np.where(idx >= 0, idx, 0)
        # children still at risk just after each horizon (the counts shown next to the risks)
        left = np.array([(years > g).sum() for g in grid])  # five horizons, not per row
        cif = pl.DataFrame({
            "years": grid, "at_risk": left.astype(np.int64),
            "breakdown_pct": np.where(ok, aj["cif_1"].to_numpy()[pick], 0.0) * 100,
            "naive_km_pct": np.where(ok, km["risk"].to_numpy()[pick], 0.0) * 100,
            "planned_end_pct": np.where(ok, aj["cif_2"].to_numpy()[pick], 0.0) * 100,
        }).with_columns(pl.col("breakdown_pct", "naive_km_pct", "planned_end_pct").round(1))
        cif = _protect_one_way(cif, value_col="at_risk", key="years", derived=[], publish=publish)
    names = {s.number: s.name(language) for s in rules.staircase().steps}
    expected = pl.DataFrame()
    if exits.height:
        expected = expected_years_on_steps(exits, horizon_years=HORIZON_YEARS,
                                           span_years=(end - start).days / DAYS_PER_YEAR)
        expected = (expected.with_columns(
            pl.col("step").cast(pl.Int64),
            pl.col("step").cast(pl.Int64).replace_strict(names, default=None, return_dtype=pl.String)
            .alias("step_name"),
            pl.col("entries_per_year", "rmst_years", "child_years").round(2))
            .select("step", "step_name", "episodes", "entries_per_year", "rmst_years", "child_years"))
        expected = _protect_one_way(expected, value_col="episodes", key="step",
                                    derived=["entries_per_year", "rmst_years", "child_years"],
                                    publish=publish)
    return cif, svg, expected


def compute_evaluation(register: Register, *, outcome: str, publish: bool,
                       language: str) -> Evaluation:
    """The evaluation of ``outcome`` on ``register`` (uncached; see :func:`evaluation_for`).

    The staggered DiD runs with :data:`DRAWS` bootstrap draws, :data:`RI_DRAWS` permutations
    and seed :data:`SEED` on the quarterly panel of :func:`evaluation_window`.
    """
    start, end = evaluation_window(register)
    notes: list[str] = []
    result = tw = bacon = None
    svg = ""
    if register.districts.height and register.children.height:
        try:
            panel = build_panel(register, freq=FREQ, start=start, end=end)
            result = staggered_did(panel, outcome=outcome, draws=DRAWS, ri_draws=RI_DRAWS, seed=SEED)
        except InvalidInput as exc:  # e.g. no population figures for a district: no rate to compare
            logger.info("evaluation not computable", extra={"outcome": outcome})
            notes.append(_("The register cannot be evaluated on this outcome: %(problem)s")
                         % {"problem": exc})
            result = None
        if result is not None and result.clusters.treated:
            arrays = panel_arrays(panel, outcome=outcome)
            # statsmodels takes the square root of every fixed effect's cluster variance; some
            # are negative rounding noise (only the treatment coefficient's is shown)
            with np.errstate(invalid="ignore"):
                tw = twfe(arrays.y, arrays.cohort)
            bacon = bacon_decomposition(arrays.y, arrays.cohort)
        if result is not None and result.event_study.height:
            svg = _event_study_svg(result)
        elif result is not None:
            notes.append(_("No district adopted the model inside the window: there is no effect "
                           "to estimate."))
    else:
        notes.append(_("The register has no districts or children."))
    cif, cif_svg, expected = _durations(register, start=start, end=end, publish=publish,
                                        language=language)
    return Evaluation(outcome=outcome, start=start, end=end, result=result, twfe=tw, bacon=bacon,
                      event_study_svg=svg, cif=cif, cif_svg=cif_svg, expected=expected,
                      suppressed=publish, notes=tuple(notes))


_lock = threading.Lock()
_cache: OrderedDict[tuple[object, ...], tuple[float, Evaluation]] = OrderedDict()
_CACHE_SIZE = 16


def evaluation_for(outcome: str, *, publish: bool, language: str) -> Evaluation:
    """:func:`compute_evaluation` on the cached analytic register, cached per register version,
    outcome, disclosure and language for at most :data:`CACHE_SECONDS`."""
    register, version = analytic_register()
    key = (version, outcome, publish, language)
    now = time.monotonic()
    with _lock:
        hit = _cache.get(key)
        if hit is not None and now - hit[0] < CACHE_SECONDS:
            _cache.move_to_end(key)
            return hit[1]
    value = compute_evaluation(register, outcome=outcome, publish=publish, language=language)
    with _lock:
        _cache[key] = (now, value)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def cache_clear() -> None:
    """Forget the cached evaluations (tests, after a bulk load)."""
    with _lock:
        _cache.clear()


# --------------------------------------------------------------------------- other municipalities
@dataclass(frozen=True, kw_only=True)
class Synthetic:
    """The configured synthetic-control comparison: ``result`` and its plot, or ``error``."""

    treated: str
    first_year: int
    result: object | None = None  # trappen.evaluation.SyntheticControlResult
    svg: str = ""
    donors: int = 0
    average_post_gap: float = float("nan")
    p_value: float = float("nan")
    error: str = ""


_synthetic_cache: dict[tuple[object, ...], Synthetic] = {}


def synthetic_configured() -> Synthetic | None:
    """The synthetic control of the municipality against the others from the StatBank CSV in
    ``settings.TRAPPEN_STATBANK_CSV`` (treated ``TRAPPEN_STATBANK_MUNICIPALITY`` from year
    ``TRAPPEN_STATBANK_FROM``), with the donors' placebo gaps; None when not configured.
    Cached per file modification time."""
    import tempfile
    from pathlib import Path

    from django.conf import settings

    from trappen.evaluation import synthetic_control
    from trappen.evaluation._report import placebo_gaps, synthetic_control_plot
    from trappen.exchange.statbank import read_statbank_csv

    path = getattr(settings, "TRAPPEN_STATBANK_CSV", None)
    treated = getattr(settings, "TRAPPEN_STATBANK_MUNICIPALITY", None)
    first = getattr(settings, "TRAPPEN_STATBANK_FROM", None)
    if not (path and treated and first):
        return None
    source = Path(path)
    key = (str(source), source.stat().st_mtime if source.exists() else None, treated, int(first))
    with _lock:
        if key in _synthetic_cache:
            return _synthetic_cache[key]
    try:
        frame = read_statbank_csv(source)
        result = synthetic_control(frame, treated=treated, first_treated_year=int(first))
        gaps = placebo_gaps(frame, result)
        with tempfile.TemporaryDirectory() as tmp:
            svg_path = synthetic_control_plot(result, gaps, Path(tmp) / "synthetic.svg")
            svg = "data:image/svg+xml;base64," + base64.b64encode(svg_path.read_bytes()).decode("ascii")
        value = Synthetic(treated=treated, first_year=int(first), result=result, svg=svg,
                          donors=result.weights.height, average_post_gap=result.average_post_gap,
                          p_value=result.p_value)
    except (InvalidInput, OSError) as exc:
        value = Synthetic(treated=treated, first_year=int(first), error=str(exc))
    with _lock:
        _synthetic_cache.clear()
        _synthetic_cache[key] = value
    return value
