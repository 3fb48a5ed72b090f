"""The synthetic municipality: reproducible, schema-conform, and consistent as casework data."""

from datetime import date

import polars as pl
import pytest

from trappen.errors import InvalidInput
from trappen.register import TABLE_NAMES, TABLES
from trappen.register.schema import ASSESSMENT_OUTCOMES, NOTIFIER_KINDS, PROFESSIONAL_NOTIFIERS
from trappen.staircase import END_REASONS, default_catalogue
from trappen.synthetic import generate


def test_same_seed_gives_an_identical_register():
    a = generate(children=3_000, years=4, seed=7)
    b = generate(children=3_000, years=4, seed=7)
    for name in TABLE_NAMES:
        assert a.tables[name].equals(b.tables[name]), name
    assert a.meta["seed"] == "7"


def test_a_different_seed_gives_a_different_register():
    a = generate(children=3_000, years=4, seed=7)
    b = generate(children=3_000, years=4, seed=8)
    assert not a.episodes.equals(b.episodes)
    assert not a.children.equals(b.children)


def test_every_table_is_filled_with_exactly_the_schema(register20k):
    for name, table in TABLES.items():
        frame = register20k.tables[name]
        assert frame.columns == table.column_names, name
        assert dict(frame.schema) == {c.name: c.dtype for c in table.columns}, name
        assert frame.height > 0, name
        for column in table.columns:
            if not column.nullable:
                assert frame[column.name].null_count() == 0, (name, column.name)


def test_table_keys_are_unique(register20k):
    for name, table in TABLES.items():
        frame = register20k.tables[name]
        assert frame.select(table.key).is_duplicated().sum() == 0, name


def test_references_point_to_existing_rows(register20k):
    r = register20k
    children = r.children["child_id"]
    for name in ("residences", "cases", "episodes", "notifications", "investigations", "plans",
                 "follow_ups", "supervision_visits", "complaints", "assignments"):
        assert r.tables[name]["child_id"].is_in(children).all(), name
    episodes = r.episodes["episode_id"]
    for name in ("plans", "follow_ups", "supervision_visits"):
        assert r.tables[name]["episode_id"].is_in(episodes).all(), name
    assert r.investigations["notification_id"].drop_nulls().is_in(r.notifications["notification_id"]).all()
    assert r.assignments["caseworker_id"].is_in(r.caseworkers["caseworker_id"]).all()
    districts = r.districts["district_code"]
    for name in ("children", "residences", "caseworkers", "population"):
        assert r.tables[name]["district_code"].is_in(districts).all(), name


def test_no_episode_ends_before_it_starts(register20k):
    ep = register20k.episodes
    assert ep.filter(pl.col("end_date") <= pl.col("start_date")).height == 0
    assert ep["start_date"].max() <= date(2025, 12, 31)
    # ongoing episodes have no end reason; ended ones have one from the fixed list
    assert ep.filter(pl.col("end_date").is_null() != pl.col("end_reason").is_null()).height == 0
    assert ep["end_reason"].drop_nulls().is_in(list(END_REASONS)).all()
    reasons = set(ep["end_reason"].drop_nulls().unique())
    assert {"moved_up", "moved_down", "breakdown", "turned_18", "goal_reached"} <= reasons


def test_no_overlapping_episodes_of_the_same_type(register20k):
    ep = register20k.episodes.sort("child_id", "intervention_code", "start_date").with_columns(
        pl.col("end_date").shift(1).over("child_id", "intervention_code").alias("prev_end"),
        pl.col("start_date").shift(1).over("child_id", "intervention_code").alias("prev_start"))
    following = ep.filter(pl.col("prev_start").is_not_null())
    assert following.height > 0
    assert following["prev_end"].null_count() == 0  # an ongoing episode is never followed
    assert following.filter(pl.col("start_date") < pl.col("prev_end")).height == 0


def test_steps_are_allowed_for_their_codes(register20k):
    catalogue = default_catalogue()
    allowed = pl.DataFrame(
        [(t.code, s) for t in catalogue.types for s in t.steps],
        schema={"intervention_code": pl.String, "step": pl.Int8}, orient="row")
    ep = register20k.episodes
    assert ep.join(allowed, on=["intervention_code", "step"], how="anti").height == 0
    assert ep["step"].is_between(1, 6).all()
    assert set(ep["step"].unique()) == {1, 2, 3, 4, 5, 6}


def test_aftercare_starts_at_18_and_ends_by_23(register20k):
    aftercare = [t.code for t in default_catalogue().types if t.aftercare]
    ep = register20k.episodes.join(register20k.children, on="child_id").with_columns(
        ((pl.col("start_date") - pl.col("birth_date")).dt.total_days() / 365.25).alias("age"))
    after = ep.filter(pl.col("intervention_code").is_in(aftercare))
    assert after.height > 0
    assert after["age"].min() >= 17.99
    assert (after["end_date"].drop_nulls() <= after.filter(pl.col("end_date").is_not_null())
            .select(pl.col("birth_date").dt.offset_by("23y"))["birth_date"]).all()
    assert ep.filter(~pl.col("intervention_code").is_in(aftercare))["age"].max() < 18.01


def test_teenagers_in_foster_care_break_down_more_often(register20k):
    # breakdowns per year in foster care, by age at the start of the placement
    ep = register20k.episodes.filter(pl.col("step") == 5).join(
        register20k.children, on="child_id").with_columns(
        ((pl.col("start_date") - pl.col("birth_date")).dt.total_days() / 365.25).alias("age"),
        (pl.col("end_date").fill_null(date(2026, 1, 1)) - pl.col("start_date")).dt.total_days()
        .alias("days"))
    group = pl.when(pl.col("age") >= 13).then(pl.lit("teen")).when(pl.col("age") < 10).then(
        pl.lit("child")).otherwise(pl.lit("between"))
    rate = ep.group_by(group.alias("group")).agg(
        ((pl.col("end_reason") == "breakdown").sum() / pl.col("days").sum() * 365.25).alias("r"))
    r = dict(zip(rate["group"], rate["r"], strict=True))
    assert r["teen"] > 2 * r["child"]  # built in: 0.012 against 0.003 a month


def test_notifications_are_mostly_assessed_within_24_hours(register20k):
    n = register20k.notifications
    assert n["notifier_kind"].is_in(list(NOTIFIER_KINDS)).all()
    assert n["outcome"].drop_nulls().is_in(list(ASSESSMENT_OUTCOMES)).all()
    hours = n.select((pl.col("assessed_at") - pl.col("received_at")).dt.total_seconds() / 3600)
    hours = hours.to_series().drop_nulls()
    assert hours.min() > 0
    assert 0.85 < (hours <= 24).mean() < 0.99  # mostly, not always
    professional = n["notifier_kind"].is_in(list(PROFESSIONAL_NOTIFIERS))
    assert n.filter(~professional)["acknowledged_at"].null_count() == n.filter(~professional).height
    # acknowledged unless the 6 working days run past the end of the register
    early = n.filter(professional, pl.col("received_at") < pl.datetime(2025, 12, 15, time_zone="UTC"))
    assert early["acknowledged_at"].null_count() == 0


def test_investigations_are_mostly_concluded_within_four_months(register20k):
    inv = register20k.investigations
    assert inv.filter(pl.col("started_on") < pl.col("aware_on")).height == 0
    assert inv.filter(pl.col("concluded_on") < pl.col("started_on")).height == 0
    done = inv.filter(pl.col("concluded_on").is_not_null())
    in_time = done.select(pl.col("concluded_on") <= pl.col("aware_on").dt.offset_by("4mo")).to_series()
    assert 0.75 < in_time.mean() < 0.98


def test_follow_ups_about_every_three_months_and_visits_twice_a_year(register20k):
    r = register20k
    gaps = r.follow_ups.sort("episode_id", "held_on").select(
        (pl.col("held_on").diff().over("episode_id")).dt.total_days()).to_series().drop_nulls()
    assert 70 <= gaps.median() <= 110
    visits = r.supervision_visits.join(r.episodes, on="episode_id")
    assert visits["step"].min() >= 4
    gaps = r.supervision_visits.sort("episode_id", "visited_on").select(
        (pl.col("visited_on").diff().over("episode_id")).dt.total_days()).to_series().drop_nulls()
    assert 150 <= gaps.median() <= 210


def test_population_is_about_the_requested_number_of_children(register20k):
    per_year = register20k.population.group_by("year").agg(pl.col("children").sum())
    assert per_year.height == 10
    assert per_year["children"].is_between(18_000, 22_000).all()
    assert set(register20k.population["age"].unique()) == set(range(18))


def test_caseload_halves_in_pilot_districts():
    r = generate(children=40_000, years=6, seed=3, pilot_districts=4, pilot_from=2022)
    pilot = r.districts.filter(pl.col("pilot_from").is_not_null())["district_code"]
    assert sorted(pilot) == ["D01", "D02", "D03", "D04"]
    assert (r.districts.filter(pl.col("pilot_from").is_not_null())["pilot_from"] == date(2022, 1, 1)).all()
    day = date(2025, 12, 31)
    open_cases = r.cases.filter(pl.col("opened_on") <= day,
                                pl.col("closed_on").is_null() | (pl.col("closed_on") > day)).join(
        r.children, on="child_id").group_by(pl.col("district_code").is_in(pilot).alias("pilot")).len()
    fte = r.caseworkers.group_by(pl.col("district_code").is_in(pilot).alias("pilot")).agg(
        pl.col("fte").sum())
    load = open_cases.join(fte, on="pilot").select("pilot", (pl.col("len") / pl.col("fte")).alias("load"))
    load = dict(zip(load["pilot"], load["load"], strict=True))
    assert 20 <= load[True] <= 30
    assert 42 <= load[False] <= 58


def test_pilot_reduces_placements_in_pilot_districts():
    kwargs = {"children": 60_000, "years": 10, "seed": 11}
    base = generate(**kwargs)
    pilot = generate(**kwargs, pilot_districts=4, pilot_from=2019)

    def placements_started(r):
        return r.episodes.filter(pl.col("step") >= 4, pl.col("start_date") >= date(2020, 1, 1)).join(
            r.children, on="child_id").filter(
            pl.col("district_code").is_in(["D01", "D02", "D03", "D04"])).height

    def placements_elsewhere(r):
        return r.episodes.filter(pl.col("step") >= 4, pl.col("start_date") >= date(2020, 1, 1)).join(
            r.children, on="child_id").filter(
            ~pl.col("district_code").is_in(["D01", "D02", "D03", "D04"])).height

    change = placements_started(pilot) / placements_started(base) - 1
    # built-in effect is about -15 %; noise on ~1,000 placements is about 4 %
    assert -0.30 < change < -0.06
    elsewhere = placements_elsewhere(pilot) / placements_elsewhere(base) - 1
    assert abs(elsewhere) < 0.08


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"children": 0}, "children"),
    ({"years": 0}, "years"),
    ({"districts": 0}, "districts"),
    ({"pilot_districts": 9}, "pilot_districts"),
    ({"pilot_districts": 2}, "pilot_from"),
    ({"pilot_from": 2020}, "pilot_districts"),
])
def test_bad_arguments_are_refused_with_the_field_named(kwargs, field):
    args = {"children": 1_000, "years": 2, "seed": 1, **kwargs}
    with pytest.raises(InvalidInput) as exc:
        generate(**args)
    assert field in [p.field for p in exc.value.problems]


def test_generated_registers_pass_register_validation(register20k):
    from trappen.register.validate import validate

    validate(register20k)  # raises RegisterInvalid listing every bad row
    validate(generate(children=2_000, years=3, seed=5, pilot_districts=2, pilot_from=2024))


def test_episodes_fall_while_the_child_lives_here(register20k):
    ep = register20k.episodes.join(register20k.children, on="child_id")
    assert ep.filter(pl.col("start_date") < pl.col("entry_date")).height == 0
    moved = ep.filter(pl.col("exit_date").is_not_null())
    assert moved.filter(pl.col("end_date").is_null() | (pl.col("end_date") > pl.col("exit_date"))).height == 0
    durations = register20k.episodes.filter(pl.col("end_date").is_not_null()).group_by("step").agg(
        (pl.col("end_date") - pl.col("start_date")).dt.total_days().median().alias("days"))
    days = dict(zip(durations["step"], durations["days"], strict=True))
    assert days[1] < days[3] < days[5]  # early help is short, placements long
