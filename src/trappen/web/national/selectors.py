"""Reads for the national view: the national store under ``TRAPPEN_DATA_DIR/national`` (the core
store of :mod:`trappen.national`: imported bundles, adoption years, indicators, StatBank tables),
cached until one of its files changes, and the figures as labelled tables (labels, never codes)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from trappen.national import (
    adoption_read,
    comparison,
    indicators_read,
    overview,
    peer_groups,
    staircase_profile,
    statbank_read,
    store_read,
    top_cells,
    trend,
    years,
)
from trappen.web.labels import label

TREND_KPIS = ("SPEND_PER_CHILD", "SS05_HOME_BASED_PER_1000", "SS01_RESIDENTIAL_SHARE")
"""The KPIs shown by year on a municipality's page."""


def store_dir() -> Path:
    """The national store of this instance."""
    return Path(settings.TRAPPEN_DATA_DIR) / "national"


@dataclass(frozen=True, kw_only=True)
class NationalData:
    cells: pl.DataFrame
    years: list[int]
    names: dict[str, str]
    adoption: dict[str, int]
    peers: dict[str, list[str]]
    statbank: pl.DataFrame
    indicator_source: str = ""


@dataclass(frozen=True, kw_only=True)
class Table:
    """A labelled table for the page and its downloads: ``columns`` (key, label), ``rows`` of raw
    values (None: hidden), ``units`` per column for formatting."""

    key: str
    title: str | Promise
    columns: list[tuple[str, str | Promise]]
    rows: list[list[object]]
    units: dict[str, str] = field(default_factory=dict)


_cache: dict[str, tuple[tuple[object, ...], NationalData]] = {}
_lock = threading.Lock()


def _signature(root: Path) -> tuple[object, ...]:
    names = ["ledger.json", "adoption.parquet", "indicators.parquet"]
    found = [root / n for n in names] + sorted(root.glob("statbank-*.parquet"))
    return tuple((p.name, p.stat().st_mtime_ns, p.stat().st_size) for p in found if p.exists())


def national_data() -> NationalData:
    """The store's figures (read once per change of its files)."""
    root = store_dir()
    signature = _signature(root) if root.is_dir() else ()
    with _lock:
        hit = _cache.get(str(root))
        if hit and hit[0] == signature:
            return hit[1]
    rows = store_read(root) if root.is_dir() else pl.DataFrame()
    cells = top_cells(rows)
    indicators = indicators_read(root) if root.is_dir() else pl.DataFrame()
    adoption = adoption_read(root) if root.is_dir() else pl.DataFrame()
    names = dict(indicators.select("municipality_code", "name").iter_rows()) if indicators.height else {}
    data = NationalData(
        cells=cells, years=years(cells), names=names,
        adoption={str(c): int(y) for c, y in adoption.select("municipality_code", "year").iter_rows()}
        if adoption.height else {},
        peers=peer_groups(indicators) if indicators.height else {},
        statbank=statbank_read(root) if root.is_dir() else pl.DataFrame(),
        indicator_source=", ".join(sorted(set(indicators["source"].to_list()))) if indicators.height else "")
    with _lock:
        _cache[str(root)] = (signature, data)
    return data


def municipality_codes(data: NationalData) -> list[str]:
    return sorted(set(data.cells["municipality_code"].to_list())) if not data.cells.is_empty() else []


def name(data: NationalData, code: str) -> str:
    return data.names.get(code) or str(_("Municipality %(code)s") % {"code": code})


def overview_table(data: NationalData, *, year: int) -> Table:
    rows = overview(data.cells, year=year, names=data.names, adoption=data.adoption, peers=data.peers)
    columns: list[tuple[str, str | Promise]] = [
        ("municipality_code", _("Municipality code")), ("name", _("Municipality")),
        ("children", _("Children 0-17")),
        ("home_based_per_1000", label("SS05_HOME_BASED_PER_1000", "kpi")),
        ("preventive_per_1000", label("SS06_PREVENTIVE_PER_1000", "kpi")),
        ("spend_per_child", label("SPEND_PER_CHILD", "kpi")), ("adoption_year", _("Adopted the model"))]
    out = [[r["municipality_code"], r["name"], r["children"], r["home_based_per_1000"],
            r["preventive_per_1000"], r["spend_per_child"], r["adoption_year"] or ""] for r in rows]
    return Table(key="municipalities", title=_("Municipalities in %(year)s") % {"year": year}, columns=columns,
                 rows=out, units={"children": "persons",
                                  "home_based_per_1000": "per 1,000 children",
                                  "preventive_per_1000": "per 1,000 children", "spend_per_child": "DKK per child",
                                  "adoption_year": "year"})


def profile_table(data: NationalData, *, year: int, code: str | None = None) -> Table:
    """The staircase profile: the share of all children 0-17 on each step on 31 December
    (STEP_PER_1000 / 1,000; a hidden step is hidden, the others stay known)."""
    country = staircase_profile(data.cells, codes=None, year=year)
    columns: list[tuple[str, str | Promise]] = [("step", _("Step"))]
    sources: list[tuple[str, list[dict[str, object]]]] = []
    if code is not None:
        columns.append(("municipality", name(data, code)))
        sources.append(("municipality", staircase_profile(data.cells, codes=[code], year=year)))
        if data.peers.get(code):
            columns.append(("peers", _("Comparable municipalities")))
            sources.append(("peers", staircase_profile(data.cells, codes=data.peers[code], year=year)))
    columns.append(("country", _("All municipalities")))
    sources.append(("country", country))
    steps = sorted({str(r["step"]) for _k, src in sources for r in src})
    rows = []
    for step in steps:
        row: list[object] = [label(step, "step")]
        for _key, src in sources:
            match = next((r for r in src if r["step"] == step), None)
            per_1000 = match["per_1000"] if match else None
            row.append(None if per_1000 is None else float(per_1000) / 1000)  # type: ignore[arg-type]
        rows.append(row)
    title = _("Share of all children 0-17 on each step, 31 December %(year)s") % {"year": year}
    return Table(key="staircase", title=title, columns=columns, rows=rows,
                 units={k: "share" for k, _label in columns[1:]})


def comparison_table(data: NationalData, *, year: int, code: str) -> Table:
    rows = comparison(data.cells, code=code, year=year, peers=data.peers.get(code, []))
    columns: list[tuple[str, str | Promise]] = [
        ("kpi", _("Measure")), ("unit", _("Unit")), ("municipality", name(data, code)),
        ("peers", _("Comparable municipalities")), ("country", _("All municipalities"))]
    out = [[label(r["kpi_code"], "kpi"), unit_label(str(r["unit"] or "")), r["municipality"], r["peers"],
            r["country"]] for r in rows]
    units = {r_key: "" for r_key in ("municipality", "peers", "country")}
    return Table(key="comparison", title=_("%(name)s against the country, %(year)s") % {
        "name": name(data, code), "year": year}, columns=columns, rows=out, units=units)


def row_units(data: NationalData, *, year: int, code: str) -> list[str]:
    """The unit of each comparison row (for formatting)."""
    return [str(r["unit"] or "") for r in comparison(data.cells, code=code, year=year,
                                                      peers=data.peers.get(code, []))]


def trend_table(data: NationalData, *, code: str, kpi: str) -> Table:
    rows = trend(data.cells, code=code, peers=data.peers.get(code, []), kpi=kpi)
    unit = next((str(u) for u in data.cells.filter(pl.col("kpi_code") == kpi)["unit"].head(1).to_list()), "")
    columns: list[tuple[str, str | Promise]] = [("year", _("Year")), ("municipality", name(data, code)),
                                                ("peers", _("Comparable municipalities")),
                                                ("country", _("All municipalities"))]
    return Table(key=f"trend-{kpi.lower()}", title=label(kpi, "kpi"), columns=columns,
                 rows=[[r["year"], r["municipality"], r["peers"], r["country"]] for r in rows],
                 units={"municipality": unit, "peers": unit, "country": unit})


def adoption_table(data: NationalData) -> Table:
    rows = [[y, code, name(data, code)] for code, y in sorted(data.adoption.items(), key=lambda kv: (kv[1], kv[0]))]
    return Table(key="adoption", title=_("Which municipalities adopted the model, and when"),
                 columns=[("year", _("Year")), ("municipality_code", _("Municipality code")),
                          ("name", _("Municipality"))], rows=rows)


def statbank_table(data: NationalData) -> Table:
    frame = data.statbank
    rows = [[r["title"], r["municipality"], r["year"], r["value"]]
            for r in frame.sort("table", "municipality", "year").iter_rows(named=True)] if frame.height else []
    return Table(key="statbank", title=_("Published tables from Danmarks Statistik"),
                 columns=[("title", _("Table")), ("area", _("Area")), ("year", _("Year")), ("value", _("Value"))],
                 rows=rows, units={"value": "persons"})


UNIT_LABELS: dict[str, Promise] = {
    "per 1,000 children": _("per 1,000 children"), "share": _("share"), "DKK per child": _("DKK per child"),
    "cases": _("cases"), "children per FTE": _("children per FTE"), "persons": _("persons"), "DKK": _("DKK"),
}


def unit_label(unit: str) -> str:
    return str(UNIT_LABELS.get(unit, unit))
