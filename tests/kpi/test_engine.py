"""Every KPI against the hand-computed register of conftest.py (at 2024-12-31, period 2024).

Steps on 2024-12-31: child 1 on 5 (foster), 2 on 4 (kinship), 3 and 4 on 2, 5 on 6, 6 none.
Steps on 2023-12-31: child 1 on 6, 2 on 3, 3 on 2, 4 on 3, 5 none (starts 2024-02-01), 6 unborn.
"""

from datetime import UTC, date, timedelta

import polars as pl
import pytest

from trappen.kpi import RESULT_SCHEMA, compute_kpis, kpi_catalogue, kpi_series
from trappen.staircase import default_catalogue, load_staircase

AT = date(2024, 12, 31)


@pytest.fixture(scope="module")
def kpis(reg):
    return compute_kpis(reg, at=AT, caseload_target=3)


def one(frame: pl.DataFrame, code: str, **dims: str | None) -> dict:
    rows = frame.filter(pl.col("kpi_code") == code)
    for k, v in dims.items():
        rows = rows.filter(pl.col(k).is_null() if v is None else pl.col(k) == v)
    assert rows.height == 1, (code, dims, rows)
    return rows.row(0, named=True)


def value(frame: pl.DataFrame, code: str, **dims: str | None) -> float | None:
    return one(frame, code, **dims)["value"]


def test_schema_and_every_catalogue_kpi_present(kpis):
    assert dict(kpis.schema) == RESULT_SCHEMA
    assert set(kpis["kpi_code"]) == {k.code for k in kpi_catalogue()}
    assert one(kpis, "SS01_RESIDENTIAL_SHARE")["unit"] == "share"


def test_placement_shares(kpis):
    # placed on 2024-12-31: children 1 (foster), 2 (kinship), 5 (residential) -> 3
    assert value(kpis, "SS01_RESIDENTIAL_SHARE") == pytest.approx(1 / 3)
    assert value(kpis, "SS03_FOSTER_SHARE") == pytest.approx(1 / 3)
    assert value(kpis, "SS04_KINSHIP_SHARE") == pytest.approx(1 / 3)
    assert value(kpis, "FAMILY_CARE_SHARE") == pytest.approx(2 / 3)
    assert one(kpis, "FAMILY_CARE_SHARE")["denominator"] == 3


def test_per_1000(kpis):
    # population table 2024: 600 + 400 = 1,000 children
    assert value(kpis, "SS05_HOME_BASED_PER_1000") == 0.0  # nobody's highest step is 3 on the date
    assert value(kpis, "SS06_PREVENTIVE_PER_1000") == pytest.approx(2.0)  # children 3 and 4
    rows = kpis.filter(pl.col("kpi_code") == "STEP_PER_1000")
    per_step = {r["step"]: r["value"] for r in rows.filter(pl.col("district").is_null()).to_dicts()}
    assert per_step == {"1": 0.0, "2": 2.0, "3": 0.0, "4": 1.0, "5": 1.0, "6": 1.0}
    # by district: N (600 children) has children 1 (step 5), 2 (4), 5 (6); S (400) children 3, 4 (2)
    by_district = {(r["district"], r["step"]): r["value"] for r in rows.filter(pl.col("value") > 0).to_dicts()
                   if r["district"] is not None}
    assert by_district == pytest.approx({("N", "4"): 1000 / 600, ("N", "5"): 1000 / 600, ("N", "6"): 1000 / 600,
                                         ("S", "2"): 2 * 1000 / 400})


def test_residential_duration_and_previously_residential(kpis):
    # episode 1 ended 2024-03-01 after 2022-01-01: 365 + 365 + 31 + 29 = 790 days
    assert value(kpis, "SS02_RESIDENTIAL_DURATION") == 790
    # family care on the date: child 1 (ex-residential, ended 2024-03-01) and child 2 (never) -> 1/2
    assert value(kpis, "SS07_PREVIOUSLY_RESIDENTIAL") == 0.5


def test_moves_from_home_based_and_preventive_trend(kpis):
    # home-based on 2023-12-31: children 2 and 4. Child 2 is on 4 at the end (up), child 4 on 2 (down)
    assert value(kpis, "SS08_UP_FROM_HOME_BASED") == 0.5
    assert value(kpis, "SS09_DOWN_FROM_HOME_BASED") == 0.5
    # preventive: 1 child (3) on 2023-12-31, 2 children (3, 4) on 2024-12-31 -> (2 - 1) / 1
    assert value(kpis, "SS10_PREVENTIVE_TREND") == 1.0


def test_spending(kpis):
    c = {t.code: t.cost_dkk_per_day for t in default_catalogue().types}
    # days inside 2024 (366 days): e1 60, e2 306, e3 244, e4 61, e5 31, e6 366, e7 121, e8 245,
    # e9 335, e10 92
    by_step = {
        "6": 60 * c["RESIDENTIAL_INSTITUTION"] + 335 * c["OPHOLDSSTED"],
        "5": 306 * c["FOSTER_GENERAL"],
        "4": (61 + 31) * c["NETWORK_FOSTER_FAMILY"],
        "3": (244 + 121) * c["FAMILY_TREATMENT"],
        "2": (366 + 245) * c["PARENTING_COURSE"],
        "1": 92 * c["HV_EXTRA_VISITS"],
    }
    total = sum(by_step.values())
    for step, dkk in by_step.items():
        assert value(kpis, "SPEND_PER_STEP", step=step) == pytest.approx(dkk)
    assert value(kpis, "SPEND_PER_STEP", step=None) == pytest.approx(total)
    # children served: step 6 {1, 5}, 5 {1}, 4 {2}, 3 {2, 4}, 2 {3, 4}, 1 {6}; all steps: 6 children
    served = {"6": 2, "5": 1, "4": 1, "3": 2, "2": 2, "1": 1}
    for step, n in served.items():
        assert value(kpis, "SPEND_PER_CHILD", step=step) == pytest.approx(by_step[step] / n)
    assert value(kpis, "SPEND_PER_CHILD", step=None) == pytest.approx(total / 6)
    assert value(kpis, "SS11_PREVENTIVE_SPEND_SHARE") == pytest.approx(
        (by_step["1"] + by_step["2"] + by_step["3"]) / total)


def test_follow_up(kpis):
    # home-based/placement episodes active on 2024-12-31 that started by 2024-09-30: e2, e9
    # (e5 started 2024-12-01). e2 had a follow-up 2024-05-15; e9's is after the date -> 1/2
    assert value(kpis, "SS12_FOLLOW_UP") == 0.5
    assert one(kpis, "SS12_FOLLOW_UP")["denominator"] == 2


def test_flows_per_month(kpis):
    # month-end snapshots 2023-12-31 .. 2024-12-31 (12 intervals). Changes:
    # child 1 6->5 (March); child 2 3->4 (Sept), 4->0 (Nov), 0->4 (Dec); child 4 3->2 (May);
    # child 5 0->6 (Feb); child 6 0->1 (March), 1->0 (June)
    flows = {(r["from_step"], r["to_step"]): (r["numerator"], r["value"])
             for r in kpis.filter(pl.col("kpi_code") == "STEP_FLOWS").to_dicts()}
    expected = {("6", "5"), ("3", "4"), ("4", "0"), ("0", "4"), ("3", "2"), ("0", "6"), ("0", "1"), ("1", "0")}
    assert set(flows) == expected
    for n, v in flows.values():
        assert n == 1 and v == pytest.approx(1 / 12)


def test_cases(kpis):
    # opened in 2024: cases 1 (child 1), 2 (child 6, before birth), 4 (child 3), 5 (child 4, age 0)
    assert value(kpis, "NEW_CASES") == 4
    days = [(date(2024, 2, 1) - date(2010, 5, 1)).days, -46, 1461, 231]  # 46 days before birth
    assert value(kpis, "AGE_AT_OPENING") == pytest.approx(sum(days) / 365.25 / 4)
    assert value(kpis, "EARLY_CASES_SHARE") == 0.5  # cases 2 and 5


def test_caseload(kpis):
    # in post on the date: worker 1 (1.0 FTE: children 1, 2, 3), worker 2 (0.5 FTE: children 4, 5)
    assert value(kpis, "CASELOAD_MEAN") == pytest.approx(5 / 1.5)
    assert value(kpis, "CASELOAD_MAX") == 4.0  # 2 / 0.5
    assert value(kpis, "CASELOAD_OVER_TARGET") == 0.5  # target 3: worker 2 only


def test_weighted_caseload_counts_each_child_by_their_highest_step(kpis, reg):
    # highest steps on the date: child 1: 5, child 2: 4, child 3: 2, child 4: 2, child 5: 6;
    # shipped weights (kpi/data/caseload.toml) 2 -> 1.0, 4-5 -> 1.5, 6 -> 2.0
    assert value(kpis, "CASELOAD_WEIGHTED_MEAN") == pytest.approx((1.5 + 1.5 + 1.0 + 1.0 + 2.0) / 1.5)
    from trappen.kpi.caseload import CaseloadRules

    rules = CaseloadRules(children_per_fte=3, step_weights={6: 4.0}, no_step_weight=1.0)
    got = compute_kpis(reg, at=AT, kpis=["CASELOAD_WEIGHTED_MEAN", "CASELOAD_OVER_TARGET"], caseload_rules=rules)
    assert value(got, "CASELOAD_WEIGHTED_MEAN") == pytest.approx((1 + 1 + 1 + 1 + 4.0) / 1.5)
    assert value(got, "CASELOAD_OVER_TARGET") == 0.5
    over = compute_kpis(reg, at=AT, kpis=["CASELOAD_OVER_TARGET"], caseload_rules=rules, caseload_target=1)
    assert value(over, "CASELOAD_OVER_TARGET") == 1.0  # the explicit target wins over the rules'


def test_breakdowns(kpis):
    # exposure in 2024 by (age band at start, type): (6-11, residential) e1 60 days;
    # (12-14, foster) e2 306; (6-11, kinship) e4 61 + e5 31 = 92 with 1 breakdown; (15-17, residential) e9 335
    assert value(kpis, "BREAKDOWN_RATE", age_band="6-11", placement_type="kinship_care") == pytest.approx(
        1 / (92 / 365.25))
    assert value(kpis, "BREAKDOWN_RATE", age_band="15-17", placement_type="residential_care") == 0.0
    assert value(kpis, "BREAKDOWN_RATE", age_band="12-14", placement_type="foster_care") == 0.0
    assert value(kpis, "BREAKDOWN_RATE", age_band=None, placement_type=None) == pytest.approx(
        1 / ((60 + 306 + 92 + 335) / 365.25))


def test_replacements_and_complaints(kpis):
    # spells starting in 2024: child 2 (Sept, first), child 2 (Dec, again), child 5 (Feb, first);
    # child 1's residential -> foster is one spell from 2022 (touching episodes)
    assert value(kpis, "REPLACEMENT_SHARE") == pytest.approx(1 / 3)
    assert value(kpis, "COMPLAINTS") == 3  # the 2023-12-01 one is outside the period
    assert value(kpis, "COMPLAINTS_UPHELD") == 0.5  # upheld, changed (one undecided)


def test_five_step_staircase_uses_categories(reg, tmp_path):
    # a staircase without a kinship step: steps 4 = foster, 5 = residential
    text = "\n".join(
        f'[[steps]]\nnumber = {n}\ncategory = "{c}"\nname_da = "t{n}"\nname_en = "s{n}"\n'
        for n, c in enumerate(["universal", "preventive", "home_based", "foster_care", "residential_care"], 1))
    five = load_staircase(_write(tmp_path, text))
    r = reg.replace(episodes=reg.episodes.filter(pl.col("step") != 6).with_columns(
        pl.when(pl.col("step") >= 4).then(4).otherwise(pl.col("step")).cast(pl.Int8).alias("step")))
    got = compute_kpis(r, at=AT, staircase=five, kpis=["SS03_FOSTER_SHARE", "SS04_KINSHIP_SHARE", "STEP_PER_1000"])
    # placed (step 4 = foster): children 1 and 2 -> all foster, no kinship step at all
    assert value(got, "SS03_FOSTER_SHARE") == 1.0
    assert value(got, "SS04_KINSHIP_SHARE") == 0.0
    assert set(got.filter(pl.col("kpi_code") == "STEP_PER_1000")["step"]) == {"1", "2", "3", "4", "5"}
    assert got.filter(pl.col("kpi_code") == "STEP_PER_1000").height == 5 * 3  # municipality + N + S


def _write(tmp_path, text):
    path = tmp_path / "five.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_series_equals_compute_kpis_per_month(reg):
    months = [date(2024, m, 1) for m in range(1, 13)]
    series = kpi_series(reg, months=months, caseload_target=3)
    assert series.columns[0] == "month"
    assert one(series.filter(pl.col("month") == date(2024, 2, 1)), "NEW_CASES")["value"] == 2  # cases 1, 5
    for m in (date(2024, 3, 1), date(2024, 9, 1), date(2024, 12, 1)):
        nxt = date(2025, 1, 1) if m.month == 12 else date(2024, m.month + 1, 1)
        single = compute_kpis(reg, at=nxt - timedelta(days=1), period=(m, nxt), caseload_target=3)
        got = series.filter(pl.col("month") == m).drop("month")
        key = ["kpi_code", "step", "from_step", "to_step", "district", "age_band", "placement_type", "duty"]
        a = single.sort(key, nulls_last=True)
        b = got.sort(key, nulls_last=True)
        assert a.select(key).equals(b.select(key))
        assert a["value"].to_list() == pytest.approx(b["value"].to_list(), nan_ok=True)


def test_deadline_compliance_from_deadline_items(reg, kpis):
    from datetime import datetime

    deadlines = pytest.importorskip("trappen.deadlines")
    items = deadlines.deadline_items(reg, now=datetime(2025, 1, 1, tzinfo=UTC))
    due = items.filter((pl.col("status") != "open")
                       & (pl.col("due_at").dt.convert_time_zone("UTC").dt.date() >= date(2024, 1, 1))
                       & (pl.col("due_at").dt.convert_time_zone("UTC").dt.date() < date(2025, 1, 1)))
    expected = {d: (sum(s == "on_time" for s in g["status"]), g.height)
                for (d,), g in due.group_by("duty_id")}
    got = {r["duty"]: (r["numerator"], r["denominator"])
           for r in kpis.filter(pl.col("kpi_code") == "DEADLINE_COMPLIANCE").to_dicts()}
    assert got == expected and got  # the register has due deadlines


def test_docs_list_every_kpi():
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "kpi.md").read_text(encoding="utf-8")
    for k in kpi_catalogue():
        assert f"`{k.code}`" in text


def test_empty_register_gives_null_ratios_not_errors():
    from trappen.register import Register

    got = compute_kpis(Register.from_frames(), at=AT)
    assert value(got, "CASELOAD_MAX") is None and value(got, "SS01_RESIDENTIAL_SHARE") is None
    assert value(got, "NEW_CASES") == 0


def test_step_per_1000_by_district_follows_residences(reg):
    # child 1 moved N -> S on 2024-06-01 (two rows: as-of lookup); child 3 has one residence, in N
    residences = pl.DataFrame({"child_id": [1, 1, 3], "district_code": ["N", "S", "N"],
                               "start_date": [date(2010, 5, 1), date(2024, 6, 1), date(2020, 7, 1)],
                               "end_date": [date(2024, 6, 1), None, None]})
    got = compute_kpis(reg.replace(residences=residences), at=AT, kpis=["STEP_PER_1000"])
    counts = {(r["district"], r["step"]): r["numerator"] for r in got.filter(
        pl.col("district").is_not_null() & (pl.col("numerator") > 0)).to_dicts()}
    # N: child 2 (step 4), child 5 (6), child 3 (2); S: child 1 (5), child 4 (2)
    assert counts == {("N", "4"): 1, ("N", "6"): 1, ("N", "2"): 1, ("S", "5"): 1, ("S", "2"): 1}
    before = compute_kpis(reg.replace(residences=residences), at=date(2024, 5, 31), kpis=["STEP_PER_1000"])
    assert one(before, "STEP_PER_1000", district="N", step="5")["numerator"] == 1  # child 1 still in N


def test_preventive_trend_can_fall():
    # two children on the preventive step on 2023-12-31, one on 2024-12-31 -> (1 - 2) / 2
    from trappen.register import Register

    children = pl.DataFrame({"child_id": [1, 2], "birth_date": [date(2015, 1, 1)] * 2, "sex": ["F", "M"],
                             "district_code": ["N", "N"], "entry_date": [date(2015, 1, 1)] * 2,
                             "exit_date": [None, None]})
    episodes = pl.DataFrame({"episode_id": [1, 2], "child_id": [1, 2],
                             "intervention_code": ["PARENTING_COURSE"] * 2, "step": [2, 2],
                             "start_date": [date(2023, 6, 1)] * 2,
                             "end_date": [None, date(2024, 6, 1)], "end_reason": [None, "goal_reached"]})
    reg = Register.from_frames(children=children, episodes=episodes)
    assert value(compute_kpis(reg, at=AT), "SS10_PREVENTIVE_TREND") == pytest.approx(-0.5)


def test_spending_at_date_ranged_prices(reg, kpis):
    """With rates, each day costs the price valid on it: foster care (episode 2, from 2024-03-01)
    gets a new price on 2024-10-01, so 214 days at the old price and 92 at the new one."""
    from trappen.economics import default_rates

    c = {t.code: t.cost_dkk_per_day for t in default_catalogue().types}
    rates = default_rates(default_catalogue()).with_new_price(
        "FOSTER_GENERAL", valid_from=date(2024, 10, 1), cost_dkk_per_day=5_000.0, price_year=2024)
    priced = compute_kpis(reg, at=AT, caseload_target=3, kpis=["SPEND_PER_STEP"], rates=rates.frame)
    assert value(priced, "SPEND_PER_STEP", step="5") == pytest.approx(214 * c["FOSTER_GENERAL"] + 92 * 5_000.0)
    for step in ("1", "2", "3", "4", "6"):  # no other price changed
        assert value(priced, "SPEND_PER_STEP", step=step) == pytest.approx(value(kpis, "SPEND_PER_STEP", step=step))
    months = kpi_series(reg, months=[date(2024, 9, 1), date(2024, 10, 1)], kpis=["SPEND_PER_STEP"],
                        rates=rates.frame).filter(pl.col("step") == "5").sort("month")
    assert months["value"].to_list() == pytest.approx([30 * c["FOSTER_GENERAL"], 31 * 5_000.0])
