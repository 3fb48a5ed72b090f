"""Writes for the economics pages. Each validates with the core first and writes all or
nothing: a new price (:meth:`trappen.economics.RateTable.with_new_price`), a budget import
(:func:`trappen.economics.load_budget`) and an accounts import
(:func:`trappen.economics.load_accounts` + :func:`trappen.economics.map_accounts`).
"""

from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

import polars as pl
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction

from trappen.economics import UploadLimits, load_accounts, load_budget, map_accounts
from trappen.errors import InvalidInput, Problem
from trappen.privacy.roles import permission
from trappen.web import rules
from trappen.web.audit.services import audit_record
from trappen.web.economics import selectors as sel
from trappen.web.economics.models import AccountLine, BudgetLine, Price

__all__ = ["accounts_import", "budget_import", "price_add", "require"]

logger = logging.getLogger(__name__)


def require(user: object, resource: str, action: str) -> None:
    """403 unless the user's role holds ``resource``/``action`` in the permission table."""
    if permission(getattr(user, "role", "") or "", resource, action) is None:
        raise PermissionDenied(f"no right to {action} {resource}")


@transaction.atomic
def price_add(*, user: object, intervention_code: str, valid_from: dt.date,
              cost_dkk_per_day: float | None, price_year: int | None, source: str = "") -> Price:
    """A new price for ``intervention_code`` from ``valid_from``; the price in force that day is
    closed at ``valid_from`` and kept. A code without stored rows gets its catalogue price as
    the first row (from 1900-01-01), so the history shows what was used before.

    Raises:
        InvalidInput: an unknown intervention type, a missing or negative price, a missing price
            year, or a start on or before the code's latest start (nothing is written).
    """
    require(user, "prices", "change")
    if intervention_code not in rules.catalogue():
        raise InvalidInput(Problem(field="intervention_code", value=intervention_code,
                                   message="not an intervention type of the catalogue"))
    if cost_dkk_per_day is None:
        raise InvalidInput(Problem(field="cost_dkk_per_day", value=None, message="a price is required"))
    # lock the type's rows (PostgreSQL) so two simultaneous changes cannot both close the same one
    stored = {p.valid_from: p for p in
              Price.objects.select_for_update().filter(intervention_code=intervention_code)}
    # the core refuses a negative price, a missing price year and a start on or before the latest
    table = sel.rate_table().with_new_price(
        intervention_code, valid_from=valid_from, cost_dkk_per_day=cost_dkk_per_day,
        price_year=price_year, source=source)  # type: ignore[arg-type]
    new: Price | None = None
    for row in table.frame.filter(pl.col("intervention_code") == intervention_code).iter_rows(named=True):
        old = stored.get(row["valid_from"])
        if old is None:
            price = Price.objects.create(
                intervention_code=intervention_code, valid_from=row["valid_from"],
                valid_to=row["valid_to"], cost_dkk_per_day=row["cost_dkk_per_day"],
                price_year=row["price_year"], source=row["source"] or "",
                created_by=user if row["valid_from"] == valid_from else None)  # type: ignore[misc]
            if row["valid_from"] == valid_from:
                new = price
        elif old.valid_to != row["valid_to"]:
            old.valid_to = row["valid_to"]
            old.save(update_fields=["valid_to"])
    assert new is not None
    audit_record(actor=user, child_id=None, action="write", endpoint="price_add",
                 purpose=f"price {new.pk} {intervention_code}")
    logger.info("price added", extra={"intervention_code": intervention_code, "price_id": new.pk,
                                      "user_id": getattr(user, "pk", None)})
    return new


def upload_limits() -> UploadLimits:
    """The municipality's limits on an uploaded table (TRAPPEN_UPLOAD_MAX_* settings)."""
    return UploadLimits(max_bytes=settings.TRAPPEN_UPLOAD_MAX_BYTES,
                        max_unpacked_bytes=settings.TRAPPEN_UPLOAD_MAX_UNPACKED_BYTES,
                        max_rows=settings.TRAPPEN_UPLOAD_MAX_ROWS)


YEARS = (1900, 2200)
"""Years a budget or an account line may have (the database column is a small integer)."""


def _check_years(frame: pl.DataFrame, table: str) -> None:
    bad = frame.filter(~pl.col("year").is_between(*YEARS))
    if bad.height:
        raise InvalidInput([Problem(field="year", value=r["year"], row=r["row"], table=table,
                                    message=f"must be a year from {YEARS[0]} to {YEARS[1]}")
                            for r in bad.head(20).iter_rows(named=True)])


@transaction.atomic
def budget_import(*, user: object, path: Path) -> pl.DataFrame:
    """Replace the budget of every year in the file by the file's lines.

    Raises:
        InvalidInput: from :func:`trappen.economics.load_budget` (row and column named); a
            step not on the staircase; nothing is written.
    """
    require(user, "budget", "create")
    frame = load_budget(path, steps=rules.staircase().numbers, limits=upload_limits())
    _check_years(frame, "budget")
    years = frame["year"].unique().to_list()
    BudgetLine.objects.filter(year__in=years).delete()
    BudgetLine.objects.bulk_create([BudgetLine(step=r["step"], year=r["year"], budget_dkk=r["budget_dkk"],
                                               imported_by=user)  # type: ignore[misc]
                                    for r in frame.iter_rows(named=True)])
    audit_record(actor=user, child_id=None, action="write", endpoint="budget_import",
                 purpose=f"{frame.height} lines, years {','.join(str(y) for y in sorted(years))}")
    logger.info("budget imported", extra={"lines": frame.height, "years": years,
                                          "user_id": getattr(user, "pk", None)})
    return frame


@transaction.atomic
def accounts_import(*, user: object, path: Path) -> pl.DataFrame:
    """Map every line of the accounts file to one bucket and replace the stored accounts of
    the file's years. An unmapped account fails the whole import, naming the account.

    Raises:
        InvalidInput: from :func:`trappen.economics.load_accounts` or
            :func:`trappen.economics.map_accounts`; nothing is written.
    """
    require(user, "budget", "create")
    mapping = sel.account_mapping()
    mapped = map_accounts(load_accounts(path, limits=upload_limits()), mapping)
    _check_years(mapped, "accounts")
    too_long = mapped.filter((pl.col("account").str.len_chars() > 64) | (pl.col("function").str.len_chars() > 64))
    if too_long.height:
        raise InvalidInput([Problem(field="account", value=r["account"][:80], row=r["row"], table="accounts",
                                    message="account and function numbers have at most 64 characters")
                            for r in too_long.iter_rows(named=True)])
    years = mapped["year"].unique().to_list()
    AccountLine.objects.filter(year__in=years).delete()
    AccountLine.objects.bulk_create([
        AccountLine(year=r["year"], row=r["row"], account=r["account"], function=r["function"],
                    amount_dkk=r["amount_dkk"], bucket=r["bucket"], mapping_name=mapping.name[:300],
                    imported_by=user)  # type: ignore[misc]
        for r in mapped.iter_rows(named=True)])
    audit_record(actor=user, child_id=None, action="write", endpoint="accounts_import",
                 purpose=f"{mapped.height} lines, years {','.join(str(y) for y in sorted(years))}")
    logger.info("accounts imported", extra={"lines": mapped.height, "years": years,
                                            "user_id": getattr(user, "pk", None)})
    return mapped
