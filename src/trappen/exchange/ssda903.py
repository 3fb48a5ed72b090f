"""England's SSDA903 return (children looked after) as an analytic register.

Reads the header file (one row per child: CHILD, SEX, DOB, ...) and the episodes file (one row
per episode: CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC, ...), maps the
placement type PLACE to a step with a TOML mapping (``trappen/forecast/data/ssda903_places.toml``
by default), and returns a :class:`~trappen.register.Register`, so the same forecast runs on
English data.

Returns as councils hold them are read as they come (:func:`read_ssda903` with several files,
:func:`read_ssda903_folder` for per-year folders):

* several annual returns, as separate files or concatenated into one (repeated CSV header
  lines are dropped): a child in several header files keeps its **latest** row, and an
  episode (CHILD, DECOM) in several returns keeps its **latest** copy, as England's tools do;
  an episode still open in an old copy but followed by a later episode of the child ends
  where the next one starts (SSDA903 episodes are consecutive). How many rows each rule
  dropped or changed is in ``register.meta``, so a count never changes silently;
* several local authorities in one file (an ``LA`` column): a child is (LA, CHILD) and each
  LA is a district;
* dates as dd/mm/yyyy (the return) or yyyy-mm-dd (ISO, as exported by data platforms);
* every bad row is counted and named: a check with more than 50 bad rows starts with one
  problem giving how many and every row number (as runs, ``rows 3-7, 12``), then lists the
  first 50 with their values.

What the return does not say is left out: a child enters the register on its first episode
(``entry_date`` = first DECOM) and nobody is recorded as moving away; there is no population
table, so the forecast is of children known to children's services, and new entrants to care
come in as arrivals by age and first step. Children's ids are replaced by integers (rank of
(LA, CHILD)); nothing else about the child is read but sex and date of birth.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

import numpy as np
import polars as pl
from pydantic import AfterValidator, Field, ValidationInfo
from pydantic_core import PydanticCustomError

from trappen._config import read_toml
from trappen._validation import StrictModel, validate_rule_file
from trappen.errors import InvalidInput, Problem
from trappen.register import Register
from trappen.staircase import Staircase, default_staircase

DATE_FORMAT = "%d/%m/%Y"
"""SSDA903 dates are written dd/mm/yyyy."""

ISO_DATE_FORMAT = "%Y-%m-%d"
"""Dates as ISO 8601 (yyyy-mm-dd), as the regional tools and data platforms write them."""

LISTED_PER_CHECK = 50
"""Bad rows listed per check; the first problem of a check counts them all."""

SEX_CODES = {"1": "M", "2": "F"}

REC_TO_END_REASON = {
    # Source: SSDA903 guide, reason episode ceased (REC). X1 = episode ends and a new one
    # starts (a change of placement or legal status): the step decides up or down.
    "E11": "other", "E12": "other",  # adopted
    "E13": "goal_reached", "E4A": "goal_reached", "E4B": "goal_reached",  # home to parents
    "E41": "goal_reached", "E45": "goal_reached", "E46": "goal_reached", "E47": "goal_reached",
    "E48": "goal_reached",  # residence / special guardianship orders
    "E2": "other", "E3": "other", "E5": "other", "E6": "other", "E7": "other", "E9": "other",
    "E14": "other", "E15": "breakdown", "E16": "other", "E17": "other",
    "E8": "turned_18",
}


def _on_the_staircase(step: int, info: ValidationInfo) -> int:
    numbers = (info.context or {})["steps"]
    if step not in numbers:
        raise PydanticCustomError("not_on_staircase", "step not on the staircase {numbers}",
                                  {"numbers": ", ".join(str(n) for n in numbers)})
    return step


class _PlacesFile(StrictModel):
    places: Annotated[dict[str, Annotated[int, AfterValidator(_on_the_staircase)]], Field(min_length=1)]


_NEEDS_PLACES = "needs a [places] table of CODE = step"
_PLACES_MESSAGES = {f"places:{kind}": _NEEDS_PLACES for kind in ("missing", "dict_type", "too_short")}


def load_place_mapping(path: Path | str | None = None, *, staircase: Staircase | None = None) -> dict[str, int]:
    """PLACE code -> step, from a TOML file with a ``[places]`` table.

    Raises:
        ConfigurationError: the file is missing or malformed, or maps to a step the staircase
            does not have: every bad code named (``places.U1``) with its value.
    """
    staircase = staircase or default_staircase()
    data, where = read_toml(path, package="trappen.forecast", name="ssda903_places.toml")
    m = validate_rule_file(_PlacesFile, data, where=where, messages=_PLACES_MESSAGES,
                           context={"steps": staircase.numbers})
    return {k.upper(): v for k, v in m.places.items()}


Paths = Path | str | Sequence[Path | str]


def _paths(value: Paths) -> list[Path]:
    return [Path(value)] if isinstance(value, str | Path) else [Path(v) for v in value]


def _scan(path: Path, needed: tuple[str, ...], table: str, *, file: int,
          optional: tuple[str, ...] = ()) -> pl.LazyFrame:
    """The ``needed`` (and present ``optional``) columns of a CSV file (names matched without
    case or spaces), as stripped strings, with ``_file`` = ``file``, ``_row`` = the data row
    number (1 = first row after the header) and ``_where`` = the file's name."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    columns = pl.read_csv(path, infer_schema=False, n_rows=0).columns
    found = {c.strip().upper(): c for c in columns}
    missing = [c for c in needed if c not in found]
    if missing:
        raise InvalidInput([Problem(field=c, value=None, message="column missing", table=f"{table} {path}")
                            for c in missing])
    cols = [*needed, *(c for c in optional if c in found)]
    frame = (pl.scan_csv(path, infer_schema=False).with_row_index("_row", offset=1)
             .select(pl.lit(file, dtype=pl.Int32).alias("_file"), "_row",
                     *(pl.col(found[c]).str.strip_chars().alias(c) for c in cols)))
    for c in optional:
        if c not in found:
            frame = frame.with_columns(pl.lit(None, dtype=pl.String).alias(c))
    return frame


def _sniff_format(path: Path, column: str) -> str:
    """The date format of most of the first 200 filled values of ``column``: ISO or dd/mm/yyyy."""
    columns = pl.read_csv(path, infer_schema=False, n_rows=0).columns
    name = next((c for c in columns if c.strip().upper() == column), None)
    if name is None:
        return DATE_FORMAT
    values = pl.read_csv(path, infer_schema=False, n_rows=200, columns=[name])[name].drop_nulls().str.strip_chars()
    iso = values.str.contains(r"^\d{4}-\d{2}-\d{2}$").sum()
    return ISO_DATE_FORMAT if iso * 2 > values.len() else DATE_FORMAT


def _has_la(paths: list[Path]) -> bool:
    return any("LA" in {c.strip().upper() for c in pl.read_csv(p, infer_schema=False, n_rows=0).columns}
               for p in paths)


def _scan_all(paths: list[Path], needed: tuple[str, ...], table: str, dates: tuple[str, ...],
              la: bool) -> pl.LazyFrame:
    """Every file's rows in file order with an ``LA`` column (empty when absent); ``_repeat``:
    a repeated CSV header line (CHILD = "CHILD", from concatenating files with their headers),
    to be counted and left out; each of ``dates`` parsed as ``_d_<column>`` with the format of
    its file (:func:`_sniff_format`), the other format tried afterwards on the few that fail
    (:func:`_date_fallback`), so the common case parses each value once."""
    frames = []
    for i, p in enumerate(paths):
        frame = _scan(p, needed, table, file=i, optional=("LA",) if la else ())
        frames.append(frame.with_columns(pl.col(c).str.strptime(pl.Date, _sniff_format(p, c), strict=False)
                                         .alias(f"_d_{c}") for c in dates))
    repeat = pl.col("CHILD").is_in(["CHILD", "Child", "child"]).fill_null(False)
    frame = pl.concat(frames).with_columns(repeat.alias("_repeat"))
    return frame.with_columns(pl.col("LA").fill_null("")) if la else frame


def _date_fallback(frame: pl.DataFrame, column: str) -> pl.DataFrame:
    """Values in ``_bad_<column>`` (those the file's own format could not read) read with
    either format into ``_d_<column>``; what neither reads stays in ``_bad_<column>``."""
    bad = pl.col(f"_bad_{column}")
    if frame[f"_bad_{column}"].null_count() == frame.height:
        return frame
    either = pl.coalesce(bad.str.strptime(pl.Date, DATE_FORMAT, strict=False),
                         bad.str.strptime(pl.Date, ISO_DATE_FORMAT, strict=False))
    return frame.with_columns(pl.coalesce(f"_d_{column}", either).alias(f"_d_{column}")).with_columns(
        pl.when(pl.col(f"_d_{column}").is_null()).then(bad).alias(f"_bad_{column}"))


def row_ranges(rows: np.ndarray) -> str:
    """Sorted row numbers as runs, e.g. ``[3, 4, 5, 9]`` -> ``"3-5, 9"``: every row named,
    however many."""
    if rows.size == 0:
        return ""
    breaks = np.flatnonzero(np.diff(rows) != 1)
    starts, ends = rows[np.r_[0, breaks + 1]], rows[np.r_[breaks, rows.size - 1]]
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in zip(starts.tolist(), ends.tolist(), strict=True))


def _listed(bad: pl.DataFrame, *, field: str, value: str | None, message: str, table: str,
            names: list[str], count: int | None = None) -> list[Problem]:
    """Problems for the first :data:`LISTED_PER_CHECK` bad rows (columns ``_file``, ``_row``
    and ``value``), led by one counting every bad row when there are more."""
    n = bad.height if count is None else count
    if n == 0:
        return []
    out = []
    if n > LISTED_PER_CHECK:
        where = "; ".join(f"{names[int(f)]} rows {row_ranges(part['_row'].to_numpy())}"
                          for (f,), part in bad.sort("_file", "_row").group_by("_file", maintain_order=True))
        out.append(Problem(field=field, value=n, table=table,
                           message=f"{message}: {n:,} rows in all, {where} (the first {LISTED_PER_CHECK} follow "
                                   "with their values)"))
    shown = bad.head(LISTED_PER_CHECK)
    values = shown[value].to_list() if value is not None else ["(pseudonymised)"] * shown.height
    for f, r, v in zip(shown["_file"].to_list(), shown["_row"].to_list(), values, strict=True):
        out.append(Problem(field=field, value=v, row=r, table=f"{table} {names[f]}", message=message))
    return out


def read_ssda903(header: Paths, episodes: Paths, *, mapping: dict[str, int] | None = None,
                 staircase: Staircase | None = None, la_code: str = "LA") -> Register:
    """Read SSDA903 header and episodes files (one return, or several years) into a register.

    The episodes are read as one streaming query (only the columns used; raw text kept only
    for bad values), so millions of rows fit in little memory. Files are taken in the order
    given: later files are later returns (their copies win).

    Args:
        header: CSV file(s) with CHILD, SEX (1 = male, 2 = female), DOB; optional LA.
        episodes: CSV file(s) with CHILD, DECOM, PLACE, DEC (empty while open), REC; optional LA.
        mapping: PLACE code -> step; default :func:`load_place_mapping`.
        staircase: the staircase the mapping is for.
        la_code: district code of children without an LA column.

    Returns:
        A register with children, episodes and one district per local authority. Its ``meta``
        counts what reading several returns changed: ``header_rows_superseded``,
        ``episode_rows_superseded`` (older copies dropped), ``open_episodes_closed`` and
        ``repeated_header_lines``.

    Raises:
        InvalidInput: every bad value at once (row numbers are data rows of the named file,
            1 = first after the header): unknown PLACE codes, bad dates, unknown SEX, episodes
            of unknown children, episodes that end before they start; each check counts all
            its rows.
    """
    mapping = mapping or load_place_mapping(staircase=staircase)
    h_paths, e_paths = _paths(header), _paths(episodes)
    h_names, e_names = [str(p) for p in h_paths], [str(p) for p in e_paths]
    la = _has_la(h_paths) or _has_la(e_paths)
    who = ["LA", "CHILD"] if la else ["CHILD"]
    raw_head = _scan_all(h_paths, ("CHILD", "SEX", "DOB"), "header", ("DOB",), la).collect()
    repeated = int(raw_head["_repeat"].sum())
    head_all = _date_fallback(
        raw_head.filter(~pl.col("_repeat")).with_columns(
            pl.when(pl.col("_d_DOB").is_null()).then(pl.col("DOB").fill_null("")).alias("_bad_DOB")), "DOB",
    ).with_columns(pl.col("_d_DOB").alias("birth_date"),
                   pl.col("SEX").replace_strict(SEX_CODES, default=None).alias("sex"))
    # the latest row of each child wins (a later return, or later in a concatenated file)
    key = pl.struct(*who) if la else pl.col("CHILD")
    head = head_all
    if head_all.select(key.n_unique()).item() < head_all.height:
        head = head_all.unique(subset=who, keep="last", maintain_order=True)
    head = head.with_columns(key.rank("dense").cast(pl.Int64).alias("child_id"))
    superseded_head = head_all.height - head.height
    problems = _listed(head.filter(pl.col("_bad_DOB").is_not_null()), field="DOB", value="_bad_DOB", table="header",
                       names=h_names, message="not a date dd/mm/yyyy or yyyy-mm-dd")
    problems += _listed(head.filter(pl.col("sex").is_null()), field="SEX", value="SEX", table="header",
                        names=h_names, message="SEX must be 1 or 2")
    places = pl.DataFrame({"PLACE": list(mapping), "step": list(mapping.values())},
                          schema={"PLACE": pl.String, "step": pl.Int8})
    start, end = pl.col("_d_DECOM"), pl.col("_d_DEC")
    eps_all = (_scan_all(e_paths, ("CHILD", "DECOM", "PLACE", "DEC", "REC"), "episodes", ("DECOM", "DEC"), la)
               .with_columns(pl.col("PLACE").str.to_uppercase())
               .join(head.lazy().select(*who, "child_id"), on=who, how="left")
               .join(places.lazy(), on="PLACE", how="left")
               .select("_file", "_row", "child_id", "step", "PLACE", "_d_DECOM", "_d_DEC",
                       pl.when(start.is_null()).then(pl.col("DECOM").fill_null("")).alias("_bad_DECOM"),
                       pl.when(end.is_null() & (pl.col("DEC").fill_null("") != "")).then(pl.col("DEC"))
                       .alias("_bad_DEC"),
                       pl.col("REC").str.to_uppercase(), "_repeat")
               .collect(engine="streaming").sort("_file", "_row"))
    repeated += int(eps_all["_repeat"].sum())
    if repeated:
        eps_all = eps_all.filter(~pl.col("_repeat"))
    eps_all = _date_fallback(_date_fallback(eps_all, "DECOM"), "DEC").rename(
        {"_d_DECOM": "start_date", "_d_DEC": "end_date"})
    # the latest copy of each episode (child, DECOM) wins
    copies = pl.col("child_id") * 1_000_000 + pl.col("start_date").cast(pl.Int64)  # days since 1970: < 10**6
    if eps_all.select(copies.n_unique()).item() < eps_all.height:
        # rows without a known child or a readable DECOM are errors, each counted: never "copies"
        keyed = pl.col("child_id").is_not_null() & pl.col("start_date").is_not_null()
        eps = pl.concat([eps_all.filter(keyed).unique(subset=["child_id", "start_date"], keep="last",
                                                      maintain_order=True),
                         eps_all.filter(~keyed)]).sort("_file", "_row")
    else:
        eps = eps_all
    superseded_eps = eps_all.height - eps.height
    bad_date = "not a date dd/mm/yyyy or yyyy-mm-dd"
    problems += _listed(eps.filter(pl.col("_bad_DECOM").is_not_null()), field="DECOM", value="_bad_DECOM",
                        table="episodes", names=e_names, message=bad_date)
    problems += _listed(eps.filter(pl.col("_bad_DEC").is_not_null()), field="DEC", value="_bad_DEC",
                        table="episodes", names=e_names, message=bad_date)
    problems += _listed(eps.filter(pl.col("step").is_null()), field="PLACE", value="PLACE", table="episodes",
                        names=e_names, message="placement code not in the mapping")
    problems += _listed(eps.filter(pl.col("child_id").is_null()), field="CHILD", value=None, table="episodes",
                        names=e_names, message="child not in the header file")
    backwards = eps.filter(pl.col("end_date") < pl.col("start_date")).with_columns(pl.col("end_date").cast(pl.String))
    problems += _listed(backwards, field="DEC", value="end_date", table="episodes", names=e_names,
                        message="episode ceases before it commences")
    if problems:
        raise InvalidInput(problems)
    eps, closed = _close_stale(eps)

    register_eps = eps.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("episode_id"),
        "child_id",
        ("SSDA903_" + pl.col("PLACE")).alias("intervention_code"),
        "step",
        "start_date",
        "end_date",
        pl.when(pl.col("end_date").is_null())
        .then(pl.lit(None, dtype=pl.String))
        .otherwise(pl.col("REC").replace_strict(REC_TO_END_REASON, default="other"))
        .alias("end_reason"),
    )
    # SSDA903 episodes are consecutive periods of one placement; merge nothing, the register's
    # step on a day is the highest active one anyway
    first = register_eps.group_by("child_id").agg(pl.col("start_date").min().alias("entry_date"))
    district = pl.when(pl.col("LA") == "").then(pl.lit(la_code)).otherwise(pl.col("LA")) if la else pl.lit(la_code)
    children = (
        head.select("child_id", "birth_date", "sex", district.alias("district_code"))
        .join(first, on="child_id", how="inner")
        .with_columns(
            pl.max_horizontal("birth_date", "entry_date").alias("entry_date"),
            pl.lit(None, dtype=pl.Date).alias("exit_date"),
        )
        .sort("child_id")
    )
    codes = sorted(set(children["district_code"].to_list())) or [la_code]
    districts = pl.DataFrame(
        {"district_code": codes, "name": codes, "pilot_from": pl.Series([None] * len(codes), dtype=pl.Date)}
    )
    meta = {"source": "SSDA903", "header_rows_superseded": str(superseded_head),
            "episode_rows_superseded": str(superseded_eps), "open_episodes_closed": str(closed),
            "repeated_header_lines": str(repeated)}
    return Register.from_frames(meta, children=children, episodes=register_eps, districts=districts)


def _close_stale(eps: pl.DataFrame) -> tuple[pl.DataFrame, int]:
    """An episode left open in an older copy, followed by a later episode of the child, ends
    where the next one starts (a child's episodes are consecutive); and how many did."""
    later = pl.col("start_date").max().over("child_id") > pl.col("start_date")
    flag = eps.select(pl.col("end_date").is_null() & later)[:, 0]
    if not flag.any():
        return eps, 0
    stale = eps.filter(flag).select("_file", "_row", "child_id", "start_date")
    kids = eps.filter(pl.col("child_id").is_in(stale["child_id"].implode())).select(
        "child_id", pl.col("start_date").alias("_next"))
    nxt = (stale.join(kids, on="child_id").filter(pl.col("_next") > pl.col("start_date"))
           .group_by("_file", "_row").agg(pl.col("_next").min()))
    out = eps.join(nxt, on=["_file", "_row"], how="left", maintain_order="left").with_columns(
        pl.coalesce("end_date", "_next").alias("end_date"),
        pl.when(pl.col("_next").is_not_null()).then(pl.lit("X1")).otherwise(pl.col("REC")).alias("REC"))
    return out.drop("_next"), nxt.height


def ssda903_files(folder: Path | str) -> tuple[list[Path], list[Path]]:
    """The header and episodes files under ``folder`` (per-year folders such as ``2021/`` or
    files side by side), in path order, so a later year's files come later: CSV files whose
    name contains "header" and "episode" (any case).

    Raises:
        InvalidInput: the folder has no header or no episodes file.
    """
    root = Path(folder)
    csvs = sorted(p for p in root.rglob("*") if p.is_file() and p.suffix.lower() == ".csv")
    headers = [p for p in csvs if "header" in p.name.lower()]
    episodes = [p for p in csvs if "episode" in p.name.lower()]
    problems = [Problem(field=what, value=str(root), message=f"no CSV file with '{what}' in its name")
                for what, found in (("header", headers), ("episode", episodes)) if not found]
    if problems:
        raise InvalidInput(problems)
    return headers, episodes


def read_ssda903_folder(folder: Path | str, *, mapping: dict[str, int] | None = None,
                        staircase: Staircase | None = None, la_code: str = "LA") -> Register:
    """:func:`read_ssda903` on every return under ``folder`` (:func:`ssda903_files`)."""
    headers, episodes = ssda903_files(folder)
    return read_ssda903(headers, episodes, mapping=mapping, staircase=staircase, la_code=la_code)
