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

import tomllib
from importlib import resources
from pathlib import Path

import polars as pl

from trappen.errors import ConfigurationError, InvalidInput, Problem
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


def load_place_mapping(path: Path | str | None = None, *, staircase: Staircase | None = None) -> dict[str, int]:
    """PLACE code -> step, from a TOML file with a ``[places]`` table.

    Raises:
        ConfigurationError: the file is missing or malformed, or maps to a step the staircase
            does not have.
    """
    staircase = staircase or default_staircase()
    if path is None:
        text = (resources.files("trappen.forecast") / "data" / "ssda903_places.toml").read_text(encoding="utf-8")
        where = "ssda903_places.toml"
    else:
        where = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigurationError(f"{path}: file not found") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigurationError(f"{where}: not valid TOML: {exc}") from None
    places = data.get("places")
    if not isinstance(places, dict) or not places:
        raise ConfigurationError(f"{where}: needs a [places] table of CODE = step")
    bad = {k: v for k, v in places.items() if not isinstance(v, int) or v not in staircase.numbers}
    if bad:
        raise ConfigurationError(f"{where}: steps not on the staircase {staircase.numbers}: {bad}")
    return {str(k).upper(): int(v) for k, v in places.items()}


def _read(path: Path, needed: tuple[str, ...], table: str) -> pl.DataFrame:
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such file")
    frame = pl.read_csv(path, infer_schema=False)
    frame = frame.rename({c: c.strip().upper() for c in frame.columns})
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InvalidInput([Problem(field=c, value=None, message="column missing", table=table) for c in missing])
    return frame.with_columns(pl.col(c).str.strip_chars() for c in needed)


def _dates(frame: pl.DataFrame, column: str, table: str, *, nullable: bool) -> tuple[pl.Series, list[Problem]]:
    raw = frame[column]
    parsed = raw.str.strptime(pl.Date, DATE_FORMAT, strict=False)
    bad = (parsed.is_null() & raw.is_not_null() & (raw != "")) if nullable else parsed.is_null()
    rows = bad.arg_true().to_list()
    return parsed, [Problem(field=column, value=raw[r], row=r + 1, table=table,
                            message="not a date dd/mm/yyyy") for r in rows[:50]]


def read_ssda903(header: Path | str, episodes: Path | str, *, mapping: dict[str, int] | None = None,
                 staircase: Staircase | None = None, la_code: str = "LA") -> Register:
    """Read an SSDA903 header file and episodes file into a register.

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
    head = _read(Path(header), ("CHILD", "SEX", "DOB"), "header")
    eps = _read(Path(episodes), ("CHILD", "DECOM", "PLACE", "DEC", "REC"), "episodes")
    problems: list[Problem] = []
    dob, p = _dates(head, "DOB", "header", nullable=False)
    problems += p
    sex = head["SEX"].replace_strict(SEX_CODES, default=None)
    problems += [Problem(field="SEX", value=head["SEX"][r], row=r + 1, table="header", message="SEX must be 1 or 2")
                 for r in sex.is_null().arg_true().to_list()[:50]]
    dup = head["CHILD"].is_duplicated()
    problems += [Problem(field="CHILD", value=head["CHILD"][r], row=r + 1, table="header", message="duplicate child")
                 for r in dup.arg_true().to_list()[:50]]
    decom, p = _dates(eps, "DECOM", "episodes", nullable=False)
    problems += p
    dec, p = _dates(eps, "DEC", "episodes", nullable=True)
    problems += p
    place = eps["PLACE"].str.to_uppercase()
    step = place.replace_strict(mapping, default=None, return_dtype=pl.Int8)
    problems += [Problem(field="PLACE", value=place[r], row=r + 1, table="episodes",
                         message="placement code not in the mapping") for r in step.is_null().arg_true().to_list()[:50]]
    unknown = ~eps["CHILD"].is_in(head["CHILD"].implode())
    problems += [Problem(field="CHILD", value="(pseudonymised)", row=r + 1, table="episodes",
                         message="child not in the header file") for r in unknown.arg_true().to_list()[:50]]
    backwards = (dec.is_not_null() & decom.is_not_null() & (dec < decom)).fill_null(False)
    problems += [Problem(field="DEC", value=str(dec[r]), row=r + 1, table="episodes",
                         message="episode ceases before it commences") for r in backwards.arg_true().to_list()[:50]]
    if problems:
        raise InvalidInput(problems)

    ids = head["CHILD"].rank("dense").cast(pl.Int64)
    id_of = dict(zip(head["CHILD"].to_list(), ids.to_list(), strict=True))
    child_id = eps["CHILD"].replace_strict(id_of, return_dtype=pl.Int64)
    episodes = pl.DataFrame({
        "episode_id": pl.int_range(1, eps.height + 1, eager=True).cast(pl.Int64),
        "child_id": child_id,
        "intervention_code": ("SSDA903_" + place),
        "step": step,
        "start_date": decom,
        "end_date": dec,
        "end_reason": pl.DataFrame({"dec": dec, "rec": eps["REC"]}).select(
            pl.when(pl.col("dec").is_null()).then(pl.lit(None, dtype=pl.String)).otherwise(
                pl.col("rec").str.to_uppercase().replace_strict(REC_TO_END_REASON, default="other"))).to_series(),
    })
    # SSDA903 episodes are consecutive periods of one placement; merge nothing, the register's
    # step on a day is the highest active one anyway
    first = (episodes.group_by("child_id").agg(pl.col("start_date").min().alias("entry_date")))
    children = (pl.DataFrame({"child_id": ids, "birth_date": dob, "sex": sex})
                .join(first, on="child_id", how="inner")
                .with_columns(pl.lit(la_code).alias("district_code"),
                              pl.max_horizontal("birth_date", "entry_date").alias("entry_date"),
                              pl.lit(None, dtype=pl.Date).alias("exit_date")))
    districts = pl.DataFrame({"district_code": [la_code], "name": [la_code],
                              "pilot_from": pl.Series([None], dtype=pl.Date)})
    return Register.from_frames({"source": "SSDA903"}, children=children, episodes=episodes, districts=districts)
