"""Reads for the economics pages: the rates in force (database rows, the catalogue's price for a
type with none), the price list with history, budget against actual, and the accounts per
bucket. Every figure comes from a core function (:mod:`trappen.economics`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from django.conf import settings

from trappen.economics import (
    RATE_SCHEMA,
    AccountMapping,
    RateTable,
    accounts_by_bucket,
    budget_vs_actual,
    default_rates,
    load_mapping,
    spending,
)
from trappen.web import rules
from trappen.web.economics.models import AccountLine, BudgetLine, Price

__all__ = ["AccountsSummary", "BudgetReport", "account_mapping", "accounts_summary", "budget_frame",
           "budget_report", "budget_years", "price_rows", "rate_table"]


# ----------------------------------------------------------------------------- prices
def _stored_rates() -> pl.DataFrame:
    rows = list(Price.objects.order_by("intervention_code", "valid_from").values_list(*RATE_SCHEMA))
    return pl.DataFrame(rows, schema=RATE_SCHEMA, orient="row")


def rate_table() -> RateTable:
    """The rates every spending figure of the web layer uses: the stored rows, and for each
    catalogue type without any, its catalogue price (open-ended, from 1900)."""
    stored = _stored_rates()
    seeded = default_rates(rules.catalogue()).frame.filter(
        ~pl.col("intervention_code").is_in(stored["intervention_code"].unique().to_list()))
    return RateTable.from_frame(pl.concat([stored, seeded]))


UNIT_NAMES_DA = {"course": "forløb", "day": "dag", "hour": "time", "month": "måned", "visit": "besøg",
                 "year": "år"}
"""The catalogue's price units (staircase/data/interventions.toml) in Danish; English is the code."""


def price_rows(*, today: dt.date, language: str) -> list[dict[str, object]]:
    """One row per rate, by intervention type and start: the catalogue's name, unit and unit
    price next to the rate per day, whether it is in force ``today`` and whether it is stored
    (False: the catalogue's price, used until a price is entered)."""
    catalogue = rules.catalogue()
    stored = set(Price.objects.values_list("intervention_code", "valid_from"))
    out = []
    for r in rate_table().frame.sort("intervention_code", "valid_from", descending=[False, True]).iter_rows(named=True):
        t = catalogue.get(r["intervention_code"]) if r["intervention_code"] in catalogue else None
        out.append(r | {
            "name": t.name(language) if t else "", "steps": t.steps if t else (),
            "unit": (UNIT_NAMES_DA.get(t.unit, t.unit) if language == "da" else t.unit) if t else "",
            "unit_price_dkk": t.price_dkk if t else None,
            "units_per_day": t.units_per_day if t else None,
            "in_force": r["valid_from"] <= today and (r["valid_to"] is None or today < r["valid_to"]),
            "stored": (r["intervention_code"], r["valid_from"]) in stored})
    return out


# ----------------------------------------------------------------------------- budget
def budget_frame() -> pl.DataFrame:
    """The stored budget: step, year, budget_dkk (the columns of :func:`load_budget`)."""
    rows = list(BudgetLine.objects.values_list("step", "year", "budget_dkk"))
    return pl.DataFrame(rows, schema={"step": pl.Int64, "year": pl.Int64, "budget_dkk": pl.Float64},
                        orient="row")


def budget_years() -> list[int]:
    return sorted(set(BudgetLine.objects.values_list("year", flat=True)), reverse=True)


@dataclass(frozen=True, kw_only=True)
class BudgetReport:
    """Budget against actual for one year through one month, in the year's prices."""

    year: int
    through_month: int
    by_step: list[dict[str, object]]  # budget_vs_actual's row at through_month, per step
    by_month: list[dict[str, object]]  # all steps summed, month 1..through_month
    total: dict[str, object]  # all steps at through_month
    year_budget_dkk: float  # the budget of the year, all steps
    chart: dict[str, object]  # labels and datasets for budget.js (Chart.js)


def budget_report(*, year: int, through_month: int, register: object | None = None) -> BudgetReport | None:
    """:func:`trappen.economics.budget_vs_actual` of the stored budget against spending from
    the register (:func:`trappen.economics.spending` with :func:`rate_table`, in ``year``'s
    prices); None without a budget for ``year``.

    Raises:
        InvalidInput: from the core, e.g. no price index for ``year``, or days without a rate.
    """
    from trappen.web.register.selectors import register_snapshot

    budget = budget_frame().filter(pl.col("year") == year)
    if budget.height == 0:
        return None
    end = dt.date(year + 1, 1, 1) if through_month == 12 else dt.date(year, through_month + 1, 1)
    register = register if register is not None else register_snapshot()
    actual = spending(register, rates=rate_table(), start=dt.date(year, 1, 1), end=end,
                      by=("step", "month"), price_year=year)
    table = budget_vs_actual(budget, actual, year=year, through_month=through_month)
    sums = ["budget_dkk", "actual_dkk", "deviation_dkk", "cumulative_budget_dkk", "cumulative_actual_dkk",
            "cumulative_deviation_dkk", "projected_year_end_dkk", "projected_deviation_dkk"]
    by_month = table.group_by("month").agg(pl.col(sums).sum()).sort("month")
    at_end = (table.filter(pl.col("month") == through_month)
              .join(budget.select("step", pl.col("budget_dkk").alias("year_budget_dkk")), on="step", how="left")
              .sort("step"))
    full_year = budget_vs_actual(budget, actual, year=year, through_month=12)  # the whole budget line
    budget_line = full_year.group_by("month").agg(pl.col("cumulative_budget_dkk").sum()).sort("month")
    total = by_month.row(-1, named=True)
    chart = {
        "labels": list(range(1, 13)),
        "budget": [round(v) for v in budget_line["cumulative_budget_dkk"]],
        "actual": [round(v) for v in by_month["cumulative_actual_dkk"]],
        # straight-line projection: from the last actual to the projected year end
        "projection": [None] * (through_month - 1) + [round(total["cumulative_actual_dkk"])]
                      + [None] * (12 - through_month - 1) + ([round(total["projected_year_end_dkk"])]
                                                             if through_month < 12 else []),
    }
    return BudgetReport(year=year, through_month=through_month, by_step=list(at_end.iter_rows(named=True)),
                        by_month=list(by_month.iter_rows(named=True)), total=total, chart=chart,
                        year_budget_dkk=float(budget["budget_dkk"].sum()))


# ----------------------------------------------------------------------------- accounts
def account_mapping() -> AccountMapping:
    """The mapping in force: ``TRAPPEN_ACCOUNT_MAPPING_FILE``, or the shipped EXAMPLE."""
    return load_mapping(settings.TRAPPEN_ACCOUNT_MAPPING_FILE or None)


@dataclass(frozen=True, kw_only=True)
class AccountsSummary:
    mapping: AccountMapping
    years: list[int]
    rows: list[dict[str, object]]  # bucket, label, amounts (per year), lines (per year)
    line_totals: list[float]  # per year: the sum of the imported lines
    bucket_totals: list[float]  # per year: the sum over the buckets
    conserved: bool


def _bucket_label(bucket: str, language: str) -> str:
    staircase = rules.staircase()
    if bucket.startswith("step_") and bucket[5:].isdigit() and int(bucket[5:]) in staircase.numbers:
        step = staircase.step(int(bucket[5:]))
        return f"{step.number}. {step.name_da if language == 'da' else step.name_en}"
    return bucket


def accounts_summary(*, language: str) -> AccountsSummary:
    """The stored accounts per year and bucket (:func:`trappen.economics.accounts_by_bucket`),
    with the lines' total next to the buckets' total for each year."""
    mapping = account_mapping()
    rows = list(AccountLine.objects.values_list("year", "bucket", "amount_dkk"))
    lines = pl.DataFrame(rows, schema={"year": pl.Int64, "bucket": pl.String, "amount_dkk": pl.Float64},
                         orient="row")
    by_bucket = accounts_by_bucket(lines)
    years = sorted(lines["year"].unique().to_list())
    buckets = list(mapping.buckets) + sorted(set(by_bucket["bucket"]) - set(mapping.buckets))
    cells = {(r["year"], r["bucket"]): r for r in by_bucket.iter_rows(named=True)}
    table = [{"bucket": b, "label": _bucket_label(b, language),
              "amounts": [cells[(y, b)]["amount_dkk"] if (y, b) in cells else 0.0 for y in years],
              "lines": [cells[(y, b)]["lines"] if (y, b) in cells else 0 for y in years]}
             for b in buckets]
    line_totals = [float(lines.filter(pl.col("year") == y)["amount_dkk"].sum()) for y in years]
    bucket_totals = [float(by_bucket.filter(pl.col("year") == y)["amount_dkk"].sum()) for y in years]
    conserved = all(abs(a - b) <= 0.005 * max(1, len(rows)) for a, b in zip(line_totals, bucket_totals, strict=True))
    return AccountsSummary(mapping=mapping, years=years, rows=table, line_totals=line_totals,
                           bucket_totals=bucket_totals, conserved=conserved)
