"""The national view's figures, one function per figure, from the store's KPI rows.

Every figure reads only the cells the municipalities published: a cell a bundle hid
(``suppressed``) is left out of every sum, so no total across municipalities can reveal it; an
aggregate whose count of persons is 1-4 is hidden too (the same threshold as the bundles).
A municipality's own figure is its bundle's value, unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import polars as pl

from trappen.national._bundle import DISCLOSURE_THRESHOLD, person_count_columns

HEADLINE: tuple[str, ...] = (
    "SS05_HOME_BASED_PER_1000", "SS06_PREVENTIVE_PER_1000", "SS01_RESIDENTIAL_SHARE", "FAMILY_CARE_SHARE",
    "SPEND_PER_CHILD", "CASELOAD_MEAN", "NEW_CASES",
)
"""The KPIs (all steps, no other dimension) compared on the national view."""

SUMMED_UNITS = frozenset({"cases", "complaints"})
"""Units whose country and peer figure is the sum over municipalities (every other unit is a
ratio: the sum of numerators over the sum of denominators)."""

_OTHER_DIMS = ("from_step", "to_step", "district", "age_band", "placement_type", "duty")


def top_cells(rows: pl.DataFrame) -> pl.DataFrame:
    """The store's rows for the whole municipality (no dimension but ``step``)."""
    if rows.is_empty():
        return rows
    return rows.filter(pl.all_horizontal(pl.col(d).is_null() for d in _OTHER_DIMS))


def years(cells: pl.DataFrame) -> list[int]:
    """The years in the store, oldest first."""
    return sorted(cells["year"].unique().to_list()) if not cells.is_empty() else []


def _factor(unit: str) -> float:
    return 1000.0 if unit.startswith("per 1,000") else 1.0


def _hidden_total(code: str, numerator: float | None, denominator: float | None) -> bool:
    counts = [v for c, v in (("numerator", numerator), ("denominator", denominator))
              if c in person_count_columns(code) and v is not None]
    return any(0 < abs(v) < DISCLOSURE_THRESHOLD for v in counts)


def aggregate(cells: pl.DataFrame, *, codes: Sequence[str] | None, year: int) -> pl.DataFrame:
    """Every KPI cell (kpi_code, step) over the municipalities ``codes`` (None: all) in ``year``:
    ``value``, ``numerator``, ``denominator``, ``municipalities`` (how many published the cell)
    and ``suppressed``."""
    part = cells.filter(pl.col("year") == year)
    if codes is not None:
        part = part.filter(pl.col("municipality_code").is_in(list(codes)))
    shown = part.filter(~pl.col("suppressed") & pl.col("numerator").is_not_null()
                        & pl.col("denominator").is_not_null())
    sums = shown.group_by("kpi_code", "step", maintain_order=True).agg(
        pl.col("unit").first(), pl.col("numerator").sum(), pl.col("denominator").sum(),
        municipalities=pl.col("municipality_code").n_unique())
    out = []
    for r in sums.iter_rows(named=True):
        unit = r["unit"]
        if unit in SUMMED_UNITS:
            value = r["numerator"]
        else:
            value = r["numerator"] / r["denominator"] * _factor(unit) if r["denominator"] else None
        hidden = _hidden_total(r["kpi_code"], r["numerator"], r["denominator"])
        out.append({**r, "value": None if hidden else value, "suppressed": hidden})
    schema = {"kpi_code": pl.String, "step": pl.String, "unit": pl.String, "numerator": pl.Float64,
              "denominator": pl.Float64, "municipalities": pl.UInt32, "value": pl.Float64, "suppressed": pl.Boolean}
    return pl.DataFrame(out, schema=schema)


def _cell(frame: pl.DataFrame, kpi: str, step: str | None) -> dict[str, object] | None:
    match = frame.filter((pl.col("kpi_code") == kpi) & (pl.col("step").is_null() if step is None
                                                         else pl.col("step") == step))
    return match.row(0, named=True) if match.height else None


def comparison(cells: pl.DataFrame, *, code: str, year: int, peers: Sequence[str]) -> list[dict[str, object]]:
    """The headline KPIs of municipality ``code`` in ``year`` beside its peers and the country:
    ``kpi_code``, ``unit``, ``municipality``, ``peers``, ``country`` (null: hidden or not
    reported) and ``suppressed`` (the municipality's own cell is hidden)."""
    own = cells.filter((pl.col("year") == year) & (pl.col("municipality_code") == code))
    peer = aggregate(cells, codes=list(peers), year=year) if peers else None
    country = aggregate(cells, codes=None, year=year)
    rows = []
    for kpi in HEADLINE:
        mine, theirs, all_ = _cell(own, kpi, None), _cell(peer, kpi, None) if peer is not None else None, \
            _cell(country, kpi, None)
        if mine is None and all_ is None:
            continue
        rows.append({"kpi_code": kpi, "unit": (mine or all_ or {}).get("unit"),
                     "municipality": mine["value"] if mine and not mine["suppressed"] else None,
                     "peers": theirs["value"] if theirs else None,
                     "country": all_["value"] if all_ else None,
                     "suppressed": bool(mine and mine["suppressed"])})
    return rows


def trend(cells: pl.DataFrame, *, code: str, peers: Sequence[str], kpi: str,
          step: str | None = None) -> list[dict[str, object]]:
    """One KPI by year: ``year``, ``municipality``, ``peers``, ``country``."""
    rows = []
    for year in years(cells):
        own = _cell(cells.filter((pl.col("year") == year) & (pl.col("municipality_code") == code)), kpi, step)
        peer = _cell(aggregate(cells, codes=list(peers), year=year), kpi, step) if peers else None
        country = _cell(aggregate(cells, codes=None, year=year), kpi, step)
        rows.append({"year": year, "municipality": own["value"] if own and not own["suppressed"] else None,
                     "peers": peer["value"] if peer else None, "country": country["value"] if country else None})
    return rows


def staircase_profile(cells: pl.DataFrame, *, codes: Sequence[str] | None, year: int) -> list[dict[str, object]]:
    """Children on each step on 31 December (STEP_PER_1000): ``step``, ``children``,
    ``per_1000`` and ``share`` of the children on any step; null where a step is hidden (then
    the shares are null too, since their total is unknown)."""
    agg = aggregate(cells, codes=codes, year=year).filter(
        (pl.col("kpi_code") == "STEP_PER_1000") & pl.col("step").is_not_null())
    base = cells.filter((pl.col("year") == year) & (pl.col("kpi_code") == "STEP_PER_1000")
                        & pl.col("step").is_not_null())
    if codes is not None:
        base = base.filter(pl.col("municipality_code").is_in(list(codes)))
    shown = {r["step"]: r for r in agg.iter_rows(named=True) if not r["suppressed"]}
    steps = sorted(set(base["step"].to_list()))
    if codes is not None and len(codes) == 1:
        complete = base.height > 0 and not base["suppressed"].any()
    else:
        complete = bool(steps) and all(s in shown for s in steps)
    total = sum(float(shown[s]["numerator"]) for s in steps) if complete else None
    return [{"step": s, "children": shown[s]["numerator"] if s in shown else None,
             "per_1000": shown[s]["value"] if s in shown else None,
             "share": shown[s]["numerator"] / total if total and s in shown else None}
            for s in steps]


def overview(cells: pl.DataFrame, *, year: int, names: Mapping[str, str],
             adoption: Mapping[str, int], peers: Mapping[str, Sequence[str]]) -> list[dict[str, object]]:
    """One row per municipality in ``year``: children 0-17, children on any step per 1,000 (null
    when a step is hidden), home-based measures and preventive offers per 1,000, spending per
    child, the year it adopted the model and its peers (null where hidden)."""
    part = cells.filter(pl.col("year") == year)
    out: list[dict[str, object]] = []
    for (code,), own in part.group_by(["municipality_code"], maintain_order=True):
        code = str(code)
        steps = own.filter((pl.col("kpi_code") == "STEP_PER_1000") & pl.col("step").is_not_null())
        base = steps.filter(pl.col("denominator").is_not_null())
        children = float(base["denominator"][0]) if base.height else None
        on_steps = (float(steps["numerator"].sum()) / children * 1000
                    if children and steps.height and not steps["suppressed"].any() else None)

        def value(kpi: str, frame: pl.DataFrame = own) -> float | None:
            cell = _cell(frame, kpi, None)
            return cell["value"] if cell and not cell["suppressed"] else None  # type: ignore[return-value]

        out.append({"municipality_code": code, "name": names.get(code, code), "children": children,
                    "on_steps_per_1000": on_steps, "home_based_per_1000": value("SS05_HOME_BASED_PER_1000"),
                    "preventive_per_1000": value("SS06_PREVENTIVE_PER_1000"),
                    "spend_per_child": value("SPEND_PER_CHILD"), "adoption_year": adoption.get(code),
                    "peers": list(peers.get(code, []))})
    return sorted(out, key=lambda r: str(r["municipality_code"]))
