"""Building a delivery: which measures a period holds, what DST already has, what to send."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import polars as pl

from trappen.exchange.dst._model import (
    IDENTITY_SCHEMA,
    LEDGER_SCHEMA,
    MEASURE_SCHEMA,
    RECORD_SCHEMA,
    STATISTICS,
    Delivery,
    Issue,
    Period,
    Report,
    Sender,
)
from trappen.exchange.dst._xml import render
from trappen.staircase import ParagraphCodes

CPR_PATTERN = r"^(0[1-9]|[12][0-9]|3[01])(0[1-9]|1[0-2])[0-9]{6}$"
"""The L231 XSD's CPR_Type: a day 01-31 and month 01-12, then 6 digits (OS2bos's vendored
copy); assumed for L201's UdsatBarnCPRidentifikator too (its XSD is not public)."""

MEASURE_ID_MAX = 50
"""INDSATSFORLOEB_ID is 1-50 characters in the L231 XSD; assumed for L201's ForanstaltningId."""


def measures_from_episodes(episodes: pl.DataFrame) -> pl.DataFrame:
    """The analytic register's episodes as measures: one measure per episode, id ``E<episode_id>``.

    The id never changes while the episode exists (DST links every report to the measure it
    already holds by this id), and carries no journal number or personal data.
    """
    return episodes.select(
        ("E" + pl.col("episode_id").cast(pl.String)).alias("measure_id"),
        pl.col("child_id").cast(pl.Int64), pl.col("intervention_code").cast(pl.String),
        pl.col("start_date").cast(pl.Date), pl.col("end_date").cast(pl.Date),
    )


def ledger_state(history: pl.DataFrame) -> pl.DataFrame:
    """What DST holds per measure, from the records of every *accepted* delivery.

    Args:
        history: :data:`RECORD_SCHEMA` columns plus ``period_end`` (the delivery's last day)
            and ``seq`` (acceptance order). The record of the delivery with the latest period
            wins (a later acceptance breaks a tie), so a correction of an earlier period does
            not overwrite what a later period told DST.

    Returns:
        :data:`LEDGER_SCHEMA` columns, one row per measure ever sent.
    """
    if history.height == 0:
        return pl.DataFrame(schema=LEDGER_SCHEMA)
    return (history.sort(["measure_id", "period_end", "seq"])
            .group_by("measure_id", maintain_order=True).last()
            .select("measure_id", "child_id", "code", "start_date", "end_date", "identity",
                    (pl.col("report_type") == "cancelled").alias("cancelled"))
            .cast(LEDGER_SCHEMA))  # type: ignore[arg-type]


def _issues(frame: pl.DataFrame, *, check: str, message: str, severity: str = "error") -> list[Issue]:
    return [Issue(severity=severity, check=check, measure_id=mid, message=message)
            for mid in frame["measure_id"].sort().to_list()]


def _with_codes(measures: pl.DataFrame, codes: ParagraphCodes) -> pl.DataFrame:
    """Each measure with the paragraph-code row valid on its start date (nulls when none is)."""
    table = codes.frame()
    matched = (measures.join(table, on="intervention_code", how="inner")
               .filter((pl.col("valid_from") <= pl.col("start_date")) & (pl.col("start_date") < pl.col("valid_to")))
               .select("measure_id", "statistic", "dst_code", "confidence"))
    known = table["intervention_code"].unique().implode()
    return (measures.join(matched, on="measure_id", how="left")
            .with_columns(pl.col("intervention_code").is_in(known).alias("_known")))


def _censor(frame: pl.DataFrame, period: Period) -> pl.DataFrame:
    """DST's view at the end of ``period``: an end after the period is not known yet (ongoing)."""
    return frame.with_columns(pl.when(pl.col("end_date") > period.end).then(None)
                              .otherwise(pl.col("end_date")).alias("end_date"))


def _overlaps(period: Period) -> pl.Expr:
    return (pl.col("start_date") <= period.end) & (pl.col("end_date").is_null() | (pl.col("end_date") >= period.start))


def build_delivery(
    *,
    statistic: str,
    period: Period,
    measures: pl.DataFrame,
    identities: pl.DataFrame,
    ledger: pl.DataFrame,
    codes: ParagraphCodes,
    sender: Sender,
    created_at: dt.datetime,
    correction: bool = False,
    test: bool = False,
) -> Delivery:
    """Build and validate the delivery of ``statistic`` for ``period``: the delta against ``ledger``.

    A measure belongs to the period when it is active on some day of it; its end date is sent
    only when it falls in the period. Against what DST holds (``ledger``, censored the same
    way), a measure is *new* (never sent, or sent and cancelled), *changed* (code, dates or
    the CPR numbers differ) or left out (unchanged); a measure DST holds for this period that
    no longer exists in the register (or no longer belongs to this statistic) is *cancelled*.
    So a delivery never contains a measure outside its period, and a correction of an earlier
    period is the same computation for that period.

    Args:
        statistic: ``L201`` or ``L231``.
        measures: :data:`MEASURE_SCHEMA` (every measure of the register, all periods).
        identities: :data:`IDENTITY_SCHEMA`, one row per child (CPR numbers for the file only).
        ledger: :data:`LEDGER_SCHEMA` (:func:`ledger_state`); empty for a first delivery.
        codes: the paragraph-code table (trappen.staircase).
        sender: the envelope's municipality, contacts and system.
        created_at: the CommunicationDateTime (local time); the core never reads the clock.
        correction: label the delivery a correction of an earlier period.
        test: a test delivery (form id T201/T231).

    Returns:
        The delivery; when its report has errors, ``xml`` is empty: nothing may be sent.
    """
    if statistic not in STATISTICS:
        raise ValueError(f"statistic must be one of {STATISTICS}, got {statistic!r}")
    measures = measures.select(list(MEASURE_SCHEMA)).cast(MEASURE_SCHEMA)  # type: ignore[arg-type]
    identities = identities.select(list(IDENTITY_SCHEMA)).cast(IDENTITY_SCHEMA)  # type: ignore[arg-type]
    ledger = ledger.select(list(LEDGER_SCHEMA)).cast(LEDGER_SCHEMA)  # type: ignore[arg-type]
    issues: list[Issue] = [Issue(severity="error", check="sender", measure_id="", message=f"{p.field}: {p.message}")
                           for p in sender.problems()]

    # DST's end date is the last day of the measure; the register's is the first day without.
    coded = _with_codes(measures, codes).with_columns(
        (pl.col("end_date") - pl.duration(days=1)).alias("end_date"))
    in_period = coded.filter(_overlaps(period))
    unknown = in_period.filter(pl.col("statistic").is_null())
    issues += _issues(unknown.filter(~pl.col("_known")), check="no_paragraph_code",
                      message="its intervention has no paragraph code (trappen.staircase dst_codes)")
    issues += _issues(unknown.filter(pl.col("_known")), check="no_paragraph_code",
                      message="no paragraph code of its intervention is valid on its start date")
    excluded = (in_period.filter(pl.col("statistic").is_not_null() & (pl.col("statistic") != statistic))
                .group_by("statistic").len().sort("statistic"))
    mine = in_period.filter(pl.col("statistic") == statistic)
    issues += _issues(mine.filter(pl.col("end_date") < pl.col("start_date")), check="end_before_start",
                      message="it ends before it starts")
    issues += _issues(mine.filter(pl.col("measure_id").str.len_chars() > MEASURE_ID_MAX), check="measure_id",
                      message=f"the measure id is longer than {MEASURE_ID_MAX} characters")
    unverified = mine.filter(pl.col("confidence") == "reconstructed").group_by("dst_code").len().sort("dst_code")
    for code, n in unverified.iter_rows():
        issues.append(Issue(severity="warning", check="code_unverified", measure_id="", message=(
            f"code {code} ({n} measure(s)) was reconstructed by Trappen, not taken from DST's PGF list: confirm it")))

    current = (_censor(mine, period).join(identities, on="child_id", how="left")
               .select("measure_id", "child_id", pl.col("dst_code").alias("code"), "start_date", "end_date",
                       "identity", "child_cpr", "custody_cpr"))
    issues += _issues(current.filter(pl.col("child_cpr").is_null()), check="child_cpr_missing",
                      message="the child has no CPR number in Trappen")
    bad_child = pl.col("child_cpr").is_not_null() & ~pl.col("child_cpr").str.contains(CPR_PATTERN)
    issues += _issues(current.filter(bad_child), check="child_cpr_invalid",
                      message="the child's CPR number does not have the form DDMMYYSSSS")
    if statistic == "L201":
        issues += _issues(current.filter(pl.col("custody_cpr").is_null()), check="custody_cpr_missing",
                          message="no custody holder (forældremyndighedsindehaver) is registered for the child")
        issues += _issues(current.filter(pl.col("custody_cpr").is_not_null()
                                         & ~pl.col("custody_cpr").str.contains(CPR_PATTERN)),
                          check="custody_cpr_invalid", message="the custody holder's CPR number is not DDMMYYSSSS")

    # The delta against what DST holds for this period.
    sent = _censor(ledger.filter(~pl.col("cancelled")), period)
    joined = current.join(sent.select("measure_id", pl.col("code").alias("_code"), pl.col("start_date").alias("_start"),
                                      pl.col("end_date").alias("_end"), pl.col("identity").alias("_identity"),
                                      pl.lit(True).alias("_sent")),
                          on="measure_id", how="left")
    differs = (pl.col("code").ne_missing(pl.col("_code")) | pl.col("start_date").ne_missing(pl.col("_start"))
               | pl.col("end_date").ne_missing(pl.col("_end")) | pl.col("identity").ne_missing(pl.col("_identity")))
    delta = (joined.with_columns(pl.when(pl.col("_sent").is_null()).then(pl.lit("new"))
                                 .when(differs).then(pl.lit("changed")).otherwise(None).alias("report_type"))
             .filter(pl.col("report_type").is_not_null()))
    everywhere = coded.filter(pl.col("statistic") == statistic).select("measure_id")
    gone = (sent.filter(_overlaps(period))
            .join(everywhere, on="measure_id", how="anti")
            .join(identities, on="child_id", how="left")
            .with_columns(pl.lit("cancelled").alias("report_type")))
    if statistic == "L201":
        issues += _issues(gone, check="cancellation_not_in_l201", severity="warning", message=(
            "cancelled: L201 has no known element for a cancellation, so it is in the ledger but not the file; "
            "tell DST (reconstructed format, see docs/dst.md)"))
    gone_cpr_missing = gone.filter(pl.col("child_cpr").is_null())
    if statistic == "L231":
        issues += _issues(gone_cpr_missing, check="cancellation_without_cpr", severity="warning",
                          message="the child is no longer in Trappen: the cancellation carries CPR 0000000000")
    cols = ["measure_id", "child_id", "report_type", "code", "start_date", "end_date", "identity",
            "child_cpr", "custody_cpr"]
    full = pl.concat([delta.select(cols), gone.select(cols)]).sort("measure_id")
    records = full.select(list(RECORD_SCHEMA)).cast(RECORD_SCHEMA)  # type: ignore[arg-type]

    counts = {t: int((records["report_type"] == t).sum()) for t in ("new", "changed", "cancelled")}
    counts["in_period"] = mine.height
    kind = "correction" if correction else ("initial" if ledger.height == 0 else "delta")
    if records.height == 0:
        issues.append(Issue(severity="warning", check="nothing_to_send", measure_id="",
                            message="nothing changed in this period since the last accepted delivery"))
    report = Report(issues=tuple(issues), counts=counts,
                    excluded={str(s): int(n) for s, n in excluded.iter_rows()})
    delivery = Delivery(statistic=statistic, kind=kind, period=period, test=test, created_at=created_at,
                        records=records, report=report)
    if not report.ok or records.height == 0:
        return delivery
    xml = render(delivery, full=full, sender=sender)
    return Delivery(statistic=statistic, kind=kind, period=period, test=test, created_at=created_at,
                    records=records, report=report, xml=xml, sha256=hashlib.sha256(xml).hexdigest(),
                    file_name=file_name(sender=sender, statistic=statistic, period=period, test=test,
                                        created_at=created_at))


def file_name(*, sender: Sender, statistic: str, period: Period, test: bool, created_at: dt.datetime) -> str:
    """OS2bos's naming: ``{T|P}_{kommune}_{form}_P{period}_V01_D{YYYYMMDD}T{HHMMSS}.xml`` (reconstructed;
    OS2bos put the current month in the P segment, Trappen the delivery's period)."""
    form = ("T" if test else "L") + statistic[1:]
    label = re.sub(r"[^0-9A-Za-z-]", "", period.label)
    return f"{'T' if test else 'P'}_{sender.municipality_code}_{form}_P{label}_V01_D{created_at:%Y%m%dT%H%M%S}.xml"
