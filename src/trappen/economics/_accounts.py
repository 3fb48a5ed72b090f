"""The municipality's accounts mapped to staircase steps, and budget against actual.

A mapping file (TOML) has one or more ``[[versions]]`` by accounting year (the chart of
accounts changed with Barnets Lov from 2024), each with ``[[versions.rules]]`` mapping a
function number (prefix, matched on whole dotted segments: ``5.28`` matches ``5.28.21``
but ``5.28.2`` does not) to a bucket. The longest matching prefix wins, so every line lands
in exactly one bucket; a line no rule matches fails the import, naming account and row.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated

import polars as pl
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from trappen._config import parse_toml
from trappen._validation import StrictModel, Text, rule_file_error, validate_rule_file
from trappen.errors import ConfigurationError, InvalidInput, Problem, ProblemCollector

ACCOUNT_COLUMNS = ("account", "function", "amount_dkk", "year")
BUDGET_COLUMNS = ("step", "year", "budget_dkk")
UNATTRIBUTED = "unattributed"


@dataclass(frozen=True, kw_only=True)
class MappingVersion:
    """Rules valid for accounting years ``from_year..to_year`` (inclusive)."""

    from_year: int
    to_year: int
    rules: Mapping[str, str]  # function prefix -> bucket
    note: str = ""


@dataclass(frozen=True, kw_only=True)
class AccountMapping:
    """Versions of function-to-bucket rules; ``buckets`` lists the allowed buckets."""

    name: str
    source: str
    is_example: bool
    buckets: tuple[str, ...]
    versions: tuple[MappingVersion, ...]

    def rules_frame(self) -> pl.DataFrame:
        """One row per (version, rule): from_year, to_year, prefix, bucket."""
        rows = [(v.from_year, v.to_year, p, b) for v in self.versions for p, b in v.rules.items()]
        return pl.DataFrame(rows, schema={"from_year": pl.Int64, "to_year": pl.Int64,
                                          "prefix": pl.String, "bucket": pl.String}, orient="row")


def example_mapping_path() -> str:
    """Path of the shipped EXAMPLE mapping (to be checked against Socialstyrelsen's table)."""
    return str(resources.files("trappen.economics") / "data" / "account_mapping_example.toml")


def _lists_unattributed(buckets: list[str]) -> list[str]:
    if UNATTRIBUTED not in buckets:
        # every line must land in a bucket; the catch-all keeps unmapped money visible
        raise PydanticCustomError("no_catch_all", f"must list '{UNATTRIBUTED}'")
    return buckets


class _MappingRule(StrictModel):
    function: Text
    bucket: str


class _MappingVersion(StrictModel):
    from_year: int
    to_year: int
    note: str = ""
    rules: list[_MappingRule] = []


class _MappingFile(StrictModel):
    name: str | None = None
    source: str = ""
    example: bool = False
    buckets: Annotated[list[str], AfterValidator(_lists_unattributed)] = Field(default=[], validate_default=True)
    versions: Annotated[list[_MappingVersion], Field(min_length=1)]


_AT_LEAST_ONE = "needs at least one [[versions]] table"
_MAPPING_MESSAGES = {"versions:missing": _AT_LEAST_ONE, "versions:too_short": _AT_LEAST_ONE,
                     "versions:list_type": "must be a list of tables ([[versions]])"}


def _mapping_problems(m: _MappingFile) -> list[Problem]:
    """Rules that need the whole file: known buckets, one rule per prefix, years not overlapping."""
    problems = []
    for i, v in enumerate(m.versions):
        first: dict[str, int] = {}
        for j, r in enumerate(v.rules):
            at = f"versions[{i}].rules[{j}]"
            if r.bucket not in m.buckets:
                problems.append(Problem(field=f"{at}.bucket", value=r.bucket,
                                        message=f"unknown bucket; use one of {', '.join(m.buckets)}"))
            if r.function in first:
                problems.append(Problem(field=f"{at}.function", value=r.function,
                                        message=f"mapped twice in this version (also rules[{first[r.function]}])"))
            first.setdefault(r.function, j)
    ordered = sorted(enumerate(m.versions), key=lambda iv: iv[1].from_year)
    for (i, prev), (j, nxt) in zip(ordered, ordered[1:], strict=False):
        if nxt.from_year <= prev.to_year:
            problems.append(Problem(field=f"versions[{j}].from_year", value=nxt.from_year,
                                    message=f"years {nxt.from_year}-{nxt.to_year} overlap versions[{i}] "
                                            f"({prev.from_year}-{prev.to_year})"))
    return problems


def load_mapping(path: Path | str | None = None) -> AccountMapping:
    """Load a mapping TOML; ``None`` loads the shipped example.

    Raises:
        ConfigurationError: a missing key, an unknown bucket, a prefix listed twice in one
            version, or versions whose years overlap: every problem, each naming the file, the
            key path (``versions[0].rules[3].bucket``) and the value.
    """
    p = Path(path) if path is not None else Path(example_mapping_path())
    try:
        data = parse_toml(p.read_text(encoding="utf-8"))
    except InvalidInput as exc:
        raise ConfigurationError(f"{p}: {exc.problems[0].message}") from None
    m = validate_rule_file(_MappingFile, data, where=str(p), messages=_MAPPING_MESSAGES)
    problems = _mapping_problems(m)
    if problems:
        raise rule_file_error(problems, where=str(p))
    versions = sorted(
        (MappingVersion(from_year=v.from_year, to_year=v.to_year, rules={r.function: r.bucket for r in v.rules},
                        note=v.note) for v in m.versions),
        key=lambda v: v.from_year)
    return AccountMapping(name=m.name if m.name is not None else p.name, source=m.source, is_example=m.example,
                          buckets=tuple(m.buckets), versions=tuple(versions))


@dataclass(frozen=True, kw_only=True)
class UploadLimits:
    """What an uploaded table may take before it is parsed (a zip bomb of a workbook held a
    worker for minutes and gigabytes, #14 item 3): the file's bytes, an Excel file's unpacked
    bytes (the sum of its zip members' sizes) and its rows (the header not counted)."""

    max_bytes: int
    max_unpacked_bytes: int
    max_rows: int


_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")


def check_table_file(path: Path | str, *, limits: UploadLimits, table: str) -> None:
    """Refuse a table file over ``limits`` before anything parses it.

    A CSV's rows are counted line by line; an .xlsx is never unpacked in full: its zip directory
    gives the members' sizes, and the worksheets' row tags are counted while streaming them
    (bounded by ``max_unpacked_bytes``).

    Raises:
        InvalidInput: the file, its unpacked size or its rows over the limit, or an .xlsx that
            is not a zip file; named by file and table.
    """
    p = Path(path)

    def refuse(message: str) -> InvalidInput:
        return InvalidInput(Problem(field="(file)", value=p.name, table=table, message=message))

    size = p.stat().st_size
    if size > limits.max_bytes:
        raise refuse(f"is {size} bytes; at most {limits.max_bytes} are accepted")
    rows = 0
    if p.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            with zipfile.ZipFile(p) as book:
                members = book.infolist()
                unpacked = sum(m.file_size for m in members)
                if unpacked > limits.max_unpacked_bytes:
                    raise refuse(f"unpacks to {unpacked} bytes; at most {limits.max_unpacked_bytes} are accepted")
                for member in members:
                    if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                        rows = max(rows, _count_row_tags(book, member))
        except zipfile.BadZipFile:
            raise refuse("cannot be read as an Excel workbook (.xlsx): not a zip file") from None
        rows -= 1  # the header
    else:
        with p.open("rb") as f:
            rows = sum(1 for line in f if line.strip()) - 1
    if rows > limits.max_rows:
        raise refuse(f"has {rows} rows; at most {limits.max_rows} are accepted")


def _count_row_tags(book: zipfile.ZipFile, member: zipfile.ZipInfo) -> int:
    """Row elements in one worksheet, streamed (the zip's stated sizes are checked by the caller,
    and at most the stated size is read, so a member that lies about its size stops there)."""
    count, tail, read = 0, b"", 0
    with book.open(member) as f:
        while read <= member.file_size and (chunk := f.read(1 << 16)):
            read += len(chunk)
            data = tail + chunk
            keep = max(len(data) - 16, 0)  # a tag starting in the last 16 bytes is counted next time
            count += sum(1 for tag in _ROW_TAG.finditer(data) if tag.start() < keep)
            tail = data[keep:]
    return count + len(_ROW_TAG.findall(tail))


def _read_table(path: Path | str, columns: tuple[str, ...], table: str,
                limits: UploadLimits | None = None) -> pl.DataFrame:
    """Read a CSV or Excel (.xlsx, first sheet) file as strings, checking the header (and first
    ``limits``, when given)."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: file not found")
    if limits is not None:
        check_table_file(p, limits=limits, table=table)
    excel = p.suffix.lower() in (".xlsx", ".xlsm")
    ragged = None if excel else _ragged_row(p)
    if ragged is not None:
        row, got, want = ragged
        raise InvalidInput(Problem(field="(file)", value=p.name, row=row, table=table, message=(
            f"the line has {got} fields where the header has {want} (a comma inside a number? "
            "write 1000.50 or put the value in quotes)")))
    try:
        frame = _read_excel(p) if excel else pl.read_csv(p, infer_schema_length=0)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, pl.exceptions.PolarsError) as exc:
        # openpyxl: BadZipFile/KeyError for a file that is not a workbook; Polars: bad encoding
        # or ragged rows. Named, not a traceback.
        kind = "an Excel workbook (.xlsx)" if excel else "a CSV file (UTF-8, comma-separated)"
        raise InvalidInput(Problem(field="(file)", value=p.name, table=table,
                                   message=f"cannot be read as {kind}: {type(exc).__name__}")) from None
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InvalidInput([Problem(field=c, value=None, message="missing column", table=table) for c in missing])
    return frame.select(columns).with_row_index("row", offset=1)


def _ragged_row(p: Path) -> tuple[int, int, int] | None:
    """The first data row (1-based) whose number of fields differs from the header's."""
    with p.open(newline="", encoding="utf-8", errors="replace") as f:
        rows = csv.reader(f)
        header = next(rows, [])
        for i, r in enumerate(rows, start=1):
            if r and len(r) != len(header):
                return i, len(r), len(header)
    return None


def _read_excel(p: Path) -> pl.DataFrame:
    """The first sheet as strings; the first row is the header, empty rows are skipped."""
    from openpyxl import load_workbook

    book = load_workbook(p, read_only=True, data_only=True)
    try:  # read-only workbooks keep the file open until closed
        rows = list(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()
    header = [str(h).strip() if h is not None else "" for h in (rows[0] if rows else [])]
    body = [["" if x is None else str(x) for x in r] for r in rows[1:] if any(x is not None for x in r)]
    return pl.DataFrame(body, schema=header, orient="row") if header else pl.DataFrame()


def load_accounts(path: Path | str, *, limits: UploadLimits | None = None) -> pl.DataFrame:
    """Read accounts (CSV or Excel) with columns account, function, amount_dkk, year; with
    ``limits``, a file over them is refused before it is parsed (:func:`check_table_file`).

    Returns:
        Columns row (1-based data row), account, function, amount_dkk (Float64), year (Int64).

    Raises:
        InvalidInput: a missing column, or an amount/year that is not a number (every row named).
    """
    raw = _read_table(path, ACCOUNT_COLUMNS, "accounts", limits)
    frame = raw.with_columns(
        pl.col("account").str.strip_chars(), pl.col("function").str.strip_chars(),
        pl.col("amount_dkk").str.strip_chars().str.replace_all(",", ".").cast(pl.Float64, strict=False),
        pl.col("year").str.strip_chars().str.replace(r"\.0$", "").cast(pl.Int64, strict=False))
    bad = ProblemCollector()
    for col in ("amount_dkk", "year"):
        for row, value in raw.join(frame.filter(pl.col(col).is_null()).select("row"), on="row") \
                .select("row", col).iter_rows():
            bad.add(field=col, value=value, message="must be a number", row=row, table="accounts")
    _refuse_not_finite(bad, raw, frame, "amount_dkk", "accounts")
    for row, value in frame.filter(pl.col("function").fill_null("") == "").select("row", "account").iter_rows():
        bad.add(field="function", value=value, message="every line needs a function number", row=row, table="accounts")
    bad.raise_if_any()
    return frame


def _refuse_not_finite(bad: ProblemCollector, raw: pl.DataFrame, frame: pl.DataFrame, col: str,
                       table: str) -> None:
    """Name each row whose amount reads as nan or an infinity (Polars casts "nan", "inf" to
    floats; SQLite refuses them, PostgreSQL stores and shows them, #14 item 3)."""
    rows = frame.filter(pl.col(col).is_not_null() & ~pl.col(col).is_finite()).select("row")
    for row, value in raw.join(rows, on="row").select("row", col).iter_rows():
        bad.add(field=col, value=value, message="must be a finite number", row=row, table=table)


def map_accounts(accounts: pl.DataFrame, mapping: AccountMapping) -> pl.DataFrame:
    """Put every account line in exactly one bucket (longest matching function prefix).

    Returns:
        The lines with a ``bucket`` column added (same rows, same order).

    Raises:
        InvalidInput: a line whose year has no mapping version, or whose function no rule
            matches; each named by account, function and row.
    """
    rules = mapping.rules_frame()
    matched = (accounts.select("row", "function", "year")
               .join(rules, how="cross")
               .filter((pl.col("year") >= pl.col("from_year")) & (pl.col("year") <= pl.col("to_year"))
                       & ((pl.col("function") == pl.col("prefix"))
                          | pl.col("function").str.starts_with(pl.col("prefix") + ".")))
               .with_columns(pl.col("prefix").str.len_chars().alias("_len"))
               .sort("row", "_len", descending=[False, True])
               .unique("row", keep="first")
               .select("row", "bucket"))
    out = accounts.join(matched, on="row", how="left").sort("row")
    bad = ProblemCollector()
    years = rules.select("from_year", "to_year").unique()
    for row, account, function, year in out.filter(pl.col("bucket").is_null()).select(
            "row", "account", "function", "year").iter_rows():
        covered = years.filter((pl.col("from_year") <= year) & (pl.col("to_year") >= year)).height > 0
        msg = (f"account {account}: function {function} is not in the mapping for {year}" if covered
               else f"account {account}: the mapping has no version for accounting year {year}")
        bad.add(field="function" if covered else "year", value=function if covered else year,
                message=msg, row=row, table="accounts")
    bad.raise_if_any()
    return out


def accounts_by_bucket(mapped: pl.DataFrame) -> pl.DataFrame:
    """Totals per year and bucket (amount_dkk, lines), sorted."""
    return (mapped.group_by("year", "bucket")
            .agg(pl.col("amount_dkk").sum(), pl.len().alias("lines")).sort("year", "bucket"))


# ----------------------------------------------------------------------------- budget
def load_budget(path: Path | str, *, steps: Collection[int] | None = None,
                limits: UploadLimits | None = None) -> pl.DataFrame:
    """Read a budget (CSV or Excel) with columns step, year, budget_dkk.

    Args:
        path: the file (``.xlsx`` is read as Excel, anything else as CSV).
        steps: the staircase's step numbers; a budget line for another step is refused.
        limits: a file over them is refused before it is parsed (:func:`check_table_file`).

    Raises:
        InvalidInput: an unreadable file, a missing column, a non-numeric value, a step not
            in ``steps``, or a (step, year) given twice; each named by row and column.
    """
    raw = _read_table(path, BUDGET_COLUMNS, "budget", limits)
    frame = raw.with_columns(
        pl.col("step").str.strip_chars().str.replace(r"\.0$", "").cast(pl.Int64, strict=False),
        pl.col("year").str.strip_chars().str.replace(r"\.0$", "").cast(pl.Int64, strict=False),
        pl.col("budget_dkk").str.strip_chars().cast(pl.Float64, strict=False))
    bad = ProblemCollector()
    for col in BUDGET_COLUMNS:
        for row, value in raw.join(frame.filter(pl.col(col).is_null()).select("row"), on="row") \
                .select("row", col).iter_rows():
            bad.add(field=col, value=value, message="must be a number", row=row, table="budget")
    _refuse_not_finite(bad, raw, frame, "budget_dkk", "budget")
    bad.raise_if_any()
    if steps is not None:
        for row, step in frame.filter(~pl.col("step").is_in(list(steps))).select("row", "step").iter_rows():
            bad.add(field="step", value=step, message=f"not a step of the staircase ({sorted(steps)})",
                    row=row, table="budget")
    dup = frame.filter(pl.struct("step", "year").is_duplicated())
    for row, step, year in dup.select("row", "step", "year").iter_rows():
        bad.add(field="step", value=f"{step}/{year}", message="step and year given twice", row=row, table="budget")
    bad.raise_if_any()
    return frame


def budget_vs_actual(budget: pl.DataFrame, actual: pl.DataFrame, *, year: int,
                     through_month: int = 12) -> pl.DataFrame:
    """Deviation by step and month with a straight-line year-end projection.

    The budget is spread evenly over 12 months. For month m: cumulative actual and budget,
    the deviation, and the projection ``cumulative actual × 12 / m``.

    Args:
        budget: columns step, year, budget_dkk (:func:`load_budget`).
        actual: columns step, month (a date in the month), amount_dkk (e.g.
            ``spending(..., by=["step", "month"])``).
        year: the budget year.
        through_month: last month with actuals (1-12).

    Returns:
        Columns step, month (1-12), budget_dkk (the month's share), actual_dkk,
        deviation_dkk, cumulative_budget_dkk, cumulative_actual_dkk,
        cumulative_deviation_dkk, projected_year_end_dkk, projected_deviation_dkk.
    """
    if not 1 <= through_month <= 12:
        raise InvalidInput(Problem(field="through_month", value=through_month, message="must be 1-12"))
    b = budget.filter(pl.col("year") == year).select(pl.col("step").cast(pl.Int64), "budget_dkk")
    months = pl.DataFrame({"month": list(range(1, through_month + 1))}, schema={"month": pl.Int64})
    a = (actual.filter(pl.col("month").dt.year() == year)
         .group_by(pl.col("step").cast(pl.Int64), pl.col("month").dt.month().cast(pl.Int64))
         .agg(pl.col("amount_dkk").sum().alias("actual_dkk")))
    steps = pl.concat([b.select("step"), a.select("step")]).unique()
    grid = (steps.join(months, how="cross")
            .join(b, on="step", how="left").join(a, on=["step", "month"], how="left")
            .with_columns(pl.col("budget_dkk").fill_null(0.0) / 12, pl.col("actual_dkk").fill_null(0.0))
            .sort("step", "month"))
    return grid.with_columns(
        (pl.col("actual_dkk") - pl.col("budget_dkk")).alias("deviation_dkk"),
        pl.col("budget_dkk").cum_sum().over("step").alias("cumulative_budget_dkk"),
        pl.col("actual_dkk").cum_sum().over("step").alias("cumulative_actual_dkk"),
    ).with_columns(
        (pl.col("cumulative_actual_dkk") - pl.col("cumulative_budget_dkk")).alias("cumulative_deviation_dkk"),
        (pl.col("cumulative_actual_dkk") * 12 / pl.col("month")).alias("projected_year_end_dkk"),
    ).with_columns(
        (pl.col("projected_year_end_dkk") - pl.col("budget_dkk") * 12).alias("projected_deviation_dkk"),
    )
