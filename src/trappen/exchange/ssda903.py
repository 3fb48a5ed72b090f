"""England's SSDA903 return (children looked after) as an analytic register.

Reads the header file (one row per child: CHILD, SEX, DOB, ...) and the episodes file (one row
per episode: CHILD, DECOM, RNE, LS, CIN, PLACE, PLACE_PROVIDER, DEC, REC, ...), maps the
placement type PLACE to a step with a TOML mapping (``trappen/forecast/data/ssda903_places.toml``
by default), and returns a :class:`~trappen.register.Register`, so the same forecast runs on
English data.

What the return does not say is left out: a child enters the register on its first episode
(``entry_date`` = first DECOM) and nobody is recorded as moving away; there is no population
table, so the forecast is of children known to children's services, and new entrants to care
come in as arrivals by age and first step. Children's ids are replaced by integers (rank of
the CHILD value); nothing else about the child is read but sex and date of birth.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

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


def _scan(path: Path, needed: tuple[str, ...], table: str) -> pl.LazyFrame:
    """The ``needed`` columns of a CSV file (names matched without case or spaces), as stripped
    strings, with ``_row`` = the data row number (1 = first row after the header)."""
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    columns = pl.read_csv(path, infer_schema=False, n_rows=0).columns
    found = {c.strip().upper(): c for c in columns}
    missing = [c for c in needed if c not in found]
    if missing:
        raise InvalidInput([Problem(field=c, value=None, message="column missing", table=table) for c in missing])
    return (pl.scan_csv(path, infer_schema=False).with_row_index("_row", offset=1)
            .select("_row", *(pl.col(found[c]).str.strip_chars().alias(c) for c in needed)))


def _date(column: str) -> pl.Expr:
    return pl.col(column).str.strptime(pl.Date, DATE_FORMAT, strict=False)


def _bad_dates(frame: pl.DataFrame, column: str, table: str) -> list[Problem]:
    """Problems for the raw values kept in ``_bad_<column>`` (null where the date was fine)."""
    bad = frame.filter(pl.col(f"_bad_{column}").is_not_null()).head(50)
    return [Problem(field=column, value=v, row=r, table=table, message="not a date dd/mm/yyyy")
            for r, v in zip(bad["_row"].to_list(), bad[f"_bad_{column}"].to_list(), strict=True)]


def read_ssda903(header: Path | str, episodes: Path | str, *, mapping: dict[str, int] | None = None,
                 staircase: Staircase | None = None, la_code: str = "LA") -> Register:
    """Read an SSDA903 header file and episodes file into a register.

    The episodes file is read as one streaming query (only the columns used; raw text kept
    only for bad values), so millions of rows fit in little memory.

    Args:
        header: CSV with CHILD, SEX (1 = male, 2 = female), DOB (dd/mm/yyyy).
        episodes: CSV with CHILD, DECOM, PLACE, DEC (empty while open), REC.
        mapping: PLACE code -> step; default :func:`load_place_mapping`.
        staircase: the staircase the mapping is for.
        la_code: district code given to every child (the local authority).

    Returns:
        A register with children, episodes and one district.

    Raises:
        InvalidInput: every bad value at once (row numbers are data rows, 1 = first after the
            header): unknown PLACE codes, bad dates, unknown SEX, episodes of unknown children,
            episodes that end before they start.
    """
    mapping = mapping or load_place_mapping(staircase=staircase)
    head = (_scan(Path(header), ("CHILD", "SEX", "DOB"), "header")
            .with_columns(_date("DOB").alias("birth_date"),
                          pl.col("SEX").replace_strict(SEX_CODES, default=None).alias("sex"),
                          pl.col("CHILD").rank("dense").cast(pl.Int64).alias("child_id"))
            .collect())
    problems = [Problem(field="DOB", value=v, row=r, table="header", message="not a date dd/mm/yyyy")
                for r, v in head.filter(pl.col("birth_date").is_null()).head(50).select("_row", "DOB").iter_rows()]
    problems += [Problem(field="SEX", value=v, row=r, table="header", message="SEX must be 1 or 2")
                 for r, v in head.filter(pl.col("sex").is_null()).head(50).select("_row", "SEX").iter_rows()]
    problems += [Problem(field="CHILD", value=v, row=r, table="header", message="duplicate child")
                 for r, v in head.filter(pl.col("CHILD").is_duplicated()).head(50).select("_row", "CHILD").iter_rows()]
    places = pl.DataFrame({"PLACE": list(mapping), "step": list(mapping.values())},
                          schema={"PLACE": pl.String, "step": pl.Int8})
    start, end = _date("DECOM"), _date("DEC")
    eps = (_scan(Path(episodes), ("CHILD", "DECOM", "PLACE", "DEC", "REC"), "episodes")
           .with_columns(pl.col("PLACE").str.to_uppercase())
           .join(head.lazy().select("CHILD", "child_id"), on="CHILD", how="left")
           .join(places.lazy(), on="PLACE", how="left")
           .select("_row", "child_id", "step", "PLACE", start.alias("start_date"), end.alias("end_date"),
                   pl.when(start.is_null()).then(pl.col("DECOM").fill_null("")).alias("_bad_DECOM"),
                   pl.when(end.is_null() & (pl.col("DEC").fill_null("") != "")).then(pl.col("DEC")).alias("_bad_DEC"),
                   pl.col("REC").str.to_uppercase())
           .collect(engine="streaming").sort("_row"))
    problems += _bad_dates(eps, "DECOM", "episodes") + _bad_dates(eps, "DEC", "episodes")
    problems += [Problem(field="PLACE", value=v, row=r, table="episodes", message="placement code not in the mapping")
                 for r, v in eps.filter(pl.col("step").is_null()).head(50).select("_row", "PLACE").iter_rows()]
    problems += [Problem(field="CHILD", value="(pseudonymised)", row=r, table="episodes",
                         message="child not in the header file")
                 for r in eps.filter(pl.col("child_id").is_null()).head(50)["_row"].to_list()]
    backwards = eps.filter(pl.col("end_date") < pl.col("start_date")).head(50)
    problems += [
        Problem(field="DEC", value=str(v), row=r, table="episodes", message="episode ceases before it commences")
        for r, v in backwards.select("_row", "end_date").iter_rows()
    ]
    if problems:
        raise InvalidInput(problems)

    episodes = eps.select(
        pl.col("_row").cast(pl.Int64).alias("episode_id"),
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
    first = episodes.group_by("child_id").agg(pl.col("start_date").min().alias("entry_date"))
    children = (
        head.select("child_id", "birth_date", "sex")
        .join(first, on="child_id", how="inner")
        .with_columns(
            pl.lit(la_code).alias("district_code"),
            pl.max_horizontal("birth_date", "entry_date").alias("entry_date"),
            pl.lit(None, dtype=pl.Date).alias("exit_date"),
        )
    )
    districts = pl.DataFrame(
        {"district_code": [la_code], "name": [la_code], "pilot_from": pl.Series([None], dtype=pl.Date)}
    )
    return Register.from_frames({"source": "SSDA903"}, children=children, episodes=episodes, districts=districts)
