"""``calibration_by_year``: every published calibration figure, each year, against the register.

The published figures are those of ``shared/reference/calibration.csv`` and
``calibration_trend.csv`` (copied here with their sources). A figure the generator does not
model (spending, consent, the Herning pilot's own figures) is listed with no generated value and
the reason, so the table shows every figure, given or not.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from trappen.register import Register
from trappen.staircase import Staircase, default_staircase
from trappen.synthetic import _params as P

# figure, year, published value, unit, source, measure (None = not generated: the reason)
PUBLISHED: tuple[tuple[str, int | str, float | str, str, str, str | None, str], ...] = (
    ("Children 0-17 in Herning Kommune", 2024, 18699, "persons", "herning.dk key figures", None,
     "an input (the municipality's size), not an output"),
    ("Children and young people 0-22 placed outside home (31 Dec)", 2011, 14978, "persons",
     "Danmarks Statistik via Ritzau", "placed", ""),
    ("Children and young people 0-22 placed outside home (31 Dec)", 2015, 14261, "persons",
     "Danmarks Statistik (Nyt 2019)", "placed", ""),
    ("Children and young people 0-22 placed outside home (31 Dec)", 2018, 13823, "persons",
     "Danmarks Statistik (Nyt)", "placed", ""),
    ("Children and young people 0-22 placed outside home (31 Dec)", 2024, 13959, "persons",
     "Danmarks Statistik (2025 figures page)", "placed", ""),
    (" of which in foster families", 2018, 8703, "persons", "Danmarks Statistik via Ritzau",
     "family", "generated: kinship and foster care (steps 4-5)"),
    (" of which in foster families", 2024, 8324, "persons", "Danmarks Statistik (2025 figures page)",
     "family", "generated: kinship and foster care (steps 4-5)"),
    (" of which in residential institutions", 2018, 2366, "persons", "Danmarks Statistik via Ritzau",
     "institution", "generated: residential and secure institutions"),
    (" of which in opholdssteder", 2018, 1921, "persons", "Danmarks Statistik via Ritzau",
     "opholdssted", ""),
    (" of which in children's and young people's homes", 2024, 4682, "persons",
     "Danmarks Statistik (2025 figures page)", "residential",
     "generated: institutions and opholdssteder (merged as børne- og ungehjem in 2024)"),
    ("Young people 18-22 in aftercare with a continued residential stay", 2016, 2121, "persons",
     "Danmarks Statistik (Nyt)", "continued", ""),
    ("Placed without consent (31 Dec)", 2015, 2311, "persons", "Danmarks Statistik (Nyt)", None,
     "not generated: the register holds no consent"),
    ("Placements started during the year", 2018, 3871, "placements", "Danmarks Statistik (Nyt)",
     "entered", "generated: entries into care (a move between placements is not an entry)"),
    ("Placements started during the year", 2023, 3400, "placements (rounded)",
     "Danmarks Statistik (Nyt)", "entered",
     "generated: entries into care (a move between placements is not an entry)"),
    ("Children and young people with a preventive measure", 2017, 40800, "persons",
     "Danmarks Statistik (Nyt)", "preventive", "generated: home-based measures (step 3) on 31 Dec"),
    ("Children and young people 0-22 with a preventive measure (31 Dec)", 2015, 38391, "persons",
     "Danmarks Statistik (Nyt)", "preventive", "generated: home-based measures (step 3)"),
    ("Children and young people 0-22 with a preventive measure (31 Dec)", 2021, 43800,
     "persons (rounded)", "Danmarks Statistik (Nyt)", "preventive",
     "generated: home-based measures (step 3)"),
    ("Notifications received", 2019, 138000, "notifications", "Danmarks Statistik (Nyt)",
     "notifications", ""),
    ("Notifications received", 2022, 152700, "notifications", "Danmarks Statistik (Nyt)",
     "notifications", ""),
    ("Children with at least one notification", 2019, 79000, "persons", "Danmarks Statistik (Nyt)",
     "notified", ""),
    ("Children with at least one notification", 2022, 85300, "persons", "Danmarks Statistik (Nyt)",
     "notified", ""),
    ("Share of placed children in foster care", 2018, 0.63, "share", "Danmarks Statistik (Nyt)",
     "family_share", "generated: kinship and foster care"),
    ("Expenditure on placements (all Denmark)", 2019, 9.7e9, "DKK per year", "Benchmarkingenheden",
     None, "not generated: the register holds no spending (see docs/economics.md)"),
    ("Expenditure on placements and preventive measures", 2018, 15.3e9, "DKK per year", "Kraka",
     None, "not generated: the register holds no spending (see docs/economics.md)"),
    ("Herning pilot caseworkers", 2013, "4 -> 8", "caseworkers in the pilot districts",
     "seed documents; KORA midterm evaluation", None,
     "the pilot's input: caseload 50 -> 25 (pilot_districts, pilot_from)"),
    ("Herning children per caseworker", 2013, "50 -> 25", "children", "seed documents", None,
     "the pilot's input (HERNING_CASELOAD, NORMAL_CASELOAD)"),
    ("Herning placements", "2013-2015", "-15%", "change", "seed documents", None,
     "the pilot's built-in effect, measured in the pilot section of docs/calibration.md"),
    ("Herning expenditure", "2013-2015", "-6 mio DKK", "change", "seed documents", None,
     "not generated: spending (see docs/economics.md)"),
    ("Herning average age at case opening", "2014-2019", "9.5 -> 8", "years", "herning.dk", None,
     "the pilot's effect, measured in the pilot section of docs/calibration.md"),
    ("Herning share of new cases opened before birth", "2014-2019", "3% -> 9%", "share",
     "herning.dk", None, "not generated: no cases open before birth"),
)


def _measures(register: Register, year: int, staircase: Staircase) -> dict[str, float]:
    """Counts on 31 December / during ``year``, per 1,000 children 0-17 of that year."""
    from trappen.synthetic._calibration import _counts

    c = _counts(register, year, staircase)
    dec31 = date(year, 12, 31)
    placement = list(staircase.placement_steps)
    active = register.episodes.filter(
        (pl.col("start_date") <= dec31) & (pl.col("end_date").is_null() | (pl.col("end_date") > dec31))
        & pl.col("step").is_in(placement)).join(
        register.children.select("child_id", "birth_date"), on="child_id")
    adult = active["birth_date"].dt.offset_by("18y") <= dec31
    codes = active["intervention_code"]
    kids = c["children"]
    out = {k: 1000 * c[k] / kids for k in ("placed", "family", "entered", "preventive", "notifications",
                                           "notified")}
    out["placed_0_17"] = 1000 * active.filter(~adult)["child_id"].n_unique() / kids
    out["continued"] = 1000 * active.filter(adult)["child_id"].n_unique() / kids
    inst = codes.is_in(["RESIDENTIAL_INSTITUTION", "SECURE_INSTITUTION"])
    out["institution"] = 1000 * active.filter(inst)["child_id"].n_unique() / kids
    out["opholdssted"] = 1000 * active.filter(codes == "OPHOLDSSTED")["child_id"].n_unique() / kids
    out["residential"] = out["institution"] + out["opholdssted"]
    out["family_share"] = c["family"] / c["placed"] if c["placed"] else float("nan")
    return out


def calibration_by_year(register: Register, *, staircase: Staircase | None = None) -> pl.DataFrame:
    """Every published figure against the register in the figure's year.

    Generated values are the register's rate per 1,000 children 0-17 in that year times
    Denmark's children 0-17 in that year (:func:`_params.national_children`), so they read as
    national counts. A figure whose year the register does not hold, or that the generator does
    not model, has no generated value and a note saying why.

    Returns:
        One row per figure and year: ``figure``, ``year``, ``published``, ``generated``,
        ``deviation`` (generated / published - 1), ``unit``, ``source`` and ``note``.
    """
    staircase = staircase or default_staircase()
    held = set(register.population["year"].unique().to_list())
    cache: dict[int, dict[str, float]] = {}
    rows = []
    for figure, year, value, unit, source, measure, note in PUBLISHED:
        generated = None
        if measure is not None and isinstance(year, int):
            if year in held:
                if year not in cache:
                    cache[year] = _measures(register, year, staircase)
                rate = cache[year][measure]
                generated = rate if measure == "family_share" else rate * P.national_children(year) / 1000
            else:
                note = f"{note}; year not in the register" if note else "year not in the register"
        published = float(value) if isinstance(value, int | float) else None
        deviation = (generated / published - 1) if generated is not None and published else None
        rows.append({"figure": figure.strip(), "year": str(year), "published": str(value),
                     "generated": generated, "deviation": deviation, "unit": unit, "source": source,
                     "note": note})
    return pl.DataFrame(rows, schema={"figure": pl.String, "year": pl.String, "published": pl.String,
                                      "generated": pl.Float64, "deviation": pl.Float64,
                                      "unit": pl.String, "source": pl.String, "note": pl.String})


def generated_series(register: Register, *, staircase: Staircase | None = None) -> pl.DataFrame:
    """The generated national-equivalent figures for every year the register holds (for plots):
    ``year``, ``measure``, ``value`` (persons, placements or notifications; a share for
    ``family_share``)."""
    staircase = staircase or default_staircase()
    rows = []
    for year in sorted(register.population["year"].unique().to_list()):
        for measure, rate in _measures(register, year, staircase).items():
            value = rate if measure == "family_share" else rate * P.national_children(year) / 1000
            rows.append({"year": year, "measure": measure, "value": value})
    return pl.DataFrame(rows, schema={"year": pl.Int32, "measure": pl.String, "value": pl.Float64})
