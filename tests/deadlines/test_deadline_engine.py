"""The deadline engine over small registers, against hand-worked calendars.

All local times are Europe/Copenhagen. Date-based duties are met until the end of the due
day; a date-only event (a plan, a follow-up, a visit) counts as done at the start of its day.
"""

from datetime import UTC, date, datetime

import polars as pl
import pytest

from trappen.deadlines import (
    COPENHAGEN,
    DEADLINE_ITEM_SCHEMA,
    STATUSES,
    DeadlineConfig,
    deadline_items,
    deadline_items_for_child,
)
from trappen.errors import InvalidInput
from trappen.register import Register
from trappen.register.schema import TABLES
from trappen.staircase import load_staircase


def local(*args: int) -> datetime:
    """A Copenhagen wall-clock time as an aware UTC instant (as the register stores it)."""
    return datetime(*args, tzinfo=COPENHAGEN).astimezone(UTC)


def frame(name: str, rows: list[dict]) -> pl.DataFrame:
    columns = TABLES[name].column_names
    return pl.DataFrame([{c: row.get(c) for c in columns} for row in rows], schema=TABLES[name].schema)


def register(**tables: list[dict]) -> Register:
    return Register.from_frames(**{name: frame(name, rows) for name, rows in tables.items()})


def notification(i: int, received_at: datetime, kind: str = "school", **kw) -> dict:
    return {"notification_id": i, "child_id": 1, "received_at": received_at, "notifier_kind": kind, **kw}


def episode(i: int, step: int, start: date, end: date | None = None, child: int = 1) -> dict:
    return {"episode_id": i, "child_id": child, "intervention_code": "X", "step": step,
            "start_date": start, "end_date": end}


def rows(items: pl.DataFrame, duty: str) -> list[tuple]:
    """(ref_id, seq, local due date, status) for one duty, in order."""
    got = items.filter(pl.col("duty_id") == duty).sort("ref_id", "seq")
    return list(zip(got["ref_id"], got["seq"], got["due_on"], got["status"], strict=True))


# ---------------------------------------------------------------- D1: 24 elapsed hours

def test_assessment_24_hours_across_spring_forward():
    # Received Saturday 30 March 2024 10:00 CET (09:00 UTC). Clocks jump 02:00 -> 03:00 on
    # Sunday 31 March, so 24 elapsed hours end at 11:00 CEST (09:00 UTC) on 31 March, not 10:00.
    received = local(2024, 3, 30, 10, 0)
    reg = register(notifications=[
        notification(1, received, "parent", assessed_at=local(2024, 3, 31, 10, 59)),
        notification(2, received, "parent", assessed_at=local(2024, 3, 31, 11, 1)),
        notification(3, received, "parent"),
    ])
    items = deadline_items(reg, now=local(2024, 3, 31, 10, 30)).filter(pl.col("duty_id") == "D1")
    assert set(items["due_at"]) == {datetime(2024, 3, 31, 9, 0, tzinfo=UTC)}
    assert items.sort("ref_id")["status"].to_list() == ["on_time", "late", "open"]
    later = deadline_items(reg, now=local(2024, 3, 31, 11, 0, 1))
    assert rows(later, "D1")[2][3] == "overdue"


def test_assessment_24_hours_across_fall_back():
    # Received Saturday 26 October 2024 10:00 CEST (08:00 UTC). Clocks go back 03:00 -> 02:00
    # on Sunday 27 October, so 24 elapsed hours end at 09:00 CET (08:00 UTC), not 10:00.
    reg = register(notifications=[
        notification(1, local(2024, 10, 26, 10), "police", assessed_at=local(2024, 10, 27, 9, 30)),
    ])
    items = deadline_items(reg, now=local(2024, 11, 1, 12)).filter(pl.col("duty_id") == "D1")
    assert items["due_at"].to_list() == [datetime(2024, 10, 27, 8, 0, tzinfo=UTC)]
    assert items["status"].to_list() == ["late"]  # 09:30 CET is 30 minutes past the 24 hours


# ---------------------------------------------------------------- D2: 6 working days

def test_acknowledgement_received_on_good_friday():
    # Received Langfredag, Friday 29 March 2024 14:00. Skip Sat 30, Easter Sunday 31 March and
    # Easter Monday 1 April; working days Tue 2, Wed 3, Thu 4, Fri 5, Mon 8, Tue 9 April (6th).
    # Met until the end of Tuesday 9 April (23:59:59.999999 CEST = 21:59:59.999999 UTC).
    received = local(2024, 3, 29, 14)
    reg = register(notifications=[
        notification(1, received, "school", acknowledged_at=local(2024, 4, 9, 16)),
        notification(2, received, "daycare", acknowledged_at=local(2024, 4, 10, 8)),
        notification(3, received, "health_visitor"),
        notification(4, received, "parent"),  # not a professional: no acknowledgement duty
    ])
    items = deadline_items(reg, now=local(2024, 4, 9, 20))
    assert rows(items, "D2") == [(1, 1, date(2024, 4, 9), "on_time"),
                                 (2, 1, date(2024, 4, 9), "late"),
                                 (3, 1, date(2024, 4, 9), "open")]
    due_at = items.filter(pl.col("duty_id") == "D2")["due_at"][0]
    assert due_at == datetime(2024, 4, 9, 21, 59, 59, 999999, tzinfo=UTC)
    after = deadline_items(reg, now=local(2024, 4, 10, 0, 0, 1))
    assert rows(after, "D2")[2][3] == "overdue"


def test_acknowledgement_before_store_bededag_2023():
    # Thursday 4 May 2023: Store Bededag Fri 5 May was still a holiday (abolished from 2024).
    # Mon 8 (1), Tue 9 (2), Wed 10 (3), Thu 11 (4), Fri 12 (5), Mon 15 May (6).
    # A year later, Thursday 25 April 2024: Fri 26 (1, no longer a holiday), Mon 29 (2),
    # Tue 30 (3), Wed 1 May (4), Thu 2 (5), Fri 3 May (6).
    reg = register(notifications=[notification(1, local(2023, 5, 4, 9)),
                                  notification(2, local(2024, 4, 25, 9))])
    items = deadline_items(reg, now=local(2024, 6, 1, 12))
    assert [r[2] for r in rows(items, "D2")] == [date(2023, 5, 15), date(2024, 5, 3)]


# ---------------------------------------------------------------- D6: 4 months

def test_investigation_four_months_clamped_to_month_end():
    # 31 October 2023 + 4 months = 29 February 2024 (leap year); 31 October 2024 + 4 months =
    # 28 February 2025: month arithmetic clamps to the last day of the month.
    inv = [
        {"investigation_id": 1, "child_id": 1, "aware_on": date(2023, 10, 31),
         "started_on": date(2023, 11, 2), "concluded_on": date(2024, 2, 29)},
        {"investigation_id": 2, "child_id": 1, "aware_on": date(2023, 10, 31),
         "started_on": date(2023, 11, 2), "concluded_on": date(2024, 3, 1)},
        {"investigation_id": 3, "child_id": 1, "aware_on": date(2024, 10, 31),
         "started_on": date(2024, 11, 1)},
        {"investigation_id": 4, "child_id": 1, "aware_on": date(2024, 9, 15),
         "started_on": date(2024, 9, 20)},
    ]
    items = deadline_items(register(investigations=inv), now=local(2025, 1, 20, 12))
    assert rows(items, "D6") == [(1, 1, date(2024, 2, 29), "on_time"), (2, 1, date(2024, 2, 29), "late"),
                                 (3, 1, date(2025, 2, 28), "open"), (4, 1, date(2025, 1, 15), "overdue")]


# ---------------------------------------------------------------- D8/D9: the child's plan

def test_plan_within_three_months_of_measure_or_placement():
    reg = register(
        episodes=[episode(1, 3, date(2024, 1, 15)),  # § 32 home-based: D8, due 15 April
                  episode(2, 5, date(2024, 2, 1), child=2),  # placement: D9, due 1 May
                  episode(3, 2, date(2024, 1, 1), child=3),  # preventive: no plan duty
                  episode(4, 6, date(2024, 3, 10), child=4),  # placement, plan before the start
                  episode(5, 3, date(2024, 1, 5), date(2024, 2, 1), child=5)],  # ended, no plan
        plans=[{"plan_id": 1, "child_id": 1, "made_on": date(2024, 4, 15)},
               {"plan_id": 2, "child_id": 2, "episode_id": 2, "made_on": date(2024, 5, 2)},
               {"plan_id": 3, "child_id": 4, "made_on": date(2024, 3, 1)}],  # 9 days before
    )
    items = deadline_items(reg, now=local(2024, 6, 1, 12))
    assert rows(items, "D8") == [(1, 1, date(2024, 4, 15), "on_time")]
    assert rows(items, "D9") == [(2, 1, date(2024, 5, 1), "late"), (4, 1, date(2024, 6, 10), "on_time")]
    # With no look-back the early plan does not count for the placement.
    strict = deadline_items(reg, now=local(2024, 6, 1, 12), config=DeadlineConfig(plan_lead_days=0))
    assert rows(strict, "D9")[1] == (4, 1, date(2024, 6, 10), "open")


# ---------------------------------------------------------------- D10/D11: follow-ups

def test_follow_up_schedule_with_parallel_investigation_ending_earlier():
    # Measure from 10 January 2024; a parallel investigation (opened 1 December 2023) ends on
    # 20 February 2024, earlier than 10 April (3 months): first follow-up due 20 February (D10).
    # Later ones (D11) are due 3 months after the previous one was held.
    # Held 19 Feb -> D10 on time; next due 19 May, held 1 June -> late; next due 1 September,
    # not held -> overdue on 15 September; next due 1 December -> open (the next one).
    reg = register(
        episodes=[episode(1, 3, date(2024, 1, 10))],
        investigations=[{"investigation_id": 1, "child_id": 1, "aware_on": date(2023, 11, 28),
                         "started_on": date(2023, 12, 1), "concluded_on": date(2024, 2, 20)}],
        follow_ups=[{"follow_up_id": 1, "child_id": 1, "episode_id": 1, "held_on": date(2024, 2, 19)},
                    {"follow_up_id": 2, "child_id": 1, "episode_id": 1, "held_on": date(2024, 6, 1)}],
    )
    items = deadline_items(reg, now=local(2024, 9, 15, 12))
    assert rows(items, "D10") == [(1, 1, date(2024, 2, 20), "on_time")]
    assert rows(items, "D11") == [(1, 2, date(2024, 5, 19), "late"), (1, 3, date(2024, 9, 1), "overdue"),
                                  (1, 4, date(2024, 12, 1), "open")]
    # On 1 September itself the third is still open and the fourth is not listed yet.
    assert rows(deadline_items(reg, now=local(2024, 9, 1, 12)), "D11")[1:] == [(1, 3, date(2024, 9, 1), "open")]


def test_follow_up_without_investigation_counts_months_from_the_start():
    # Start 31 January 2024: 3 months = 30 April (clamped); later ones are counted from the start
    # (6 months = 31 July, 9 = 31 October), not chained from 30 April. Held: none.
    # A measure that ended before its first follow-up fell due gets none.
    reg = register(episodes=[episode(1, 4, date(2024, 1, 31)),
                             episode(2, 3, date(2024, 1, 10), date(2024, 3, 1), child=2)])
    items = deadline_items(reg, now=local(2024, 9, 1, 12))
    assert rows(items, "D10") == [(1, 1, date(2024, 4, 30), "overdue")]
    assert rows(items, "D11") == [(1, 2, date(2024, 7, 31), "overdue"), (1, 3, date(2024, 10, 31), "open")]
    # The municipality's own interval: every 6 months after the first.
    six = deadline_items(reg, now=local(2024, 9, 1, 12), config=DeadlineConfig(follow_up_interval_months=6))
    assert rows(six, "D11") == [(1, 2, date(2024, 10, 31), "open")]


def test_follow_ups_stop_when_the_measure_ends():
    # Start 1 February 2024, ended 1 September 2024 (first day without): first due 1 May, held
    # 30 April; next due 30 July, held 30 July; the next (30 October) falls after the end.
    reg = register(episodes=[episode(1, 3, date(2024, 2, 1), date(2024, 9, 1))],
                   follow_ups=[{"follow_up_id": 7, "child_id": 1, "episode_id": 1, "held_on": date(2024, 4, 30)},
                               {"follow_up_id": 8, "child_id": 1, "episode_id": 1, "held_on": date(2024, 7, 30)}])
    items = deadline_items(reg, now=local(2025, 1, 1, 12))
    assert [r[3] for r in rows(items, "D10") + rows(items, "D11")] == ["on_time", "on_time"]


# ---------------------------------------------------------------- D12: supervision

def test_supervision_two_visits_per_placement_year():
    # Placement from 1 March 2023, ongoing. Year 1 = [1 Mar 2023, 1 Mar 2024): two visits due by
    # 29 February 2024; one visit held (1 June 2023) -> the second is overdue (missed).
    # Year 2 = [1 Mar 2024, 1 Mar 2025): one visit held (1 April 2024) on time, one still open
    # (due 28 February 2025) on 1 September 2024.
    reg = register(episodes=[episode(1, 5, date(2023, 3, 1))],
                   supervision_visits=[{"visit_id": 1, "child_id": 1, "episode_id": 1, "visited_on": date(2023, 6, 1)},
                                       {"visit_id": 2, "child_id": 1, "episode_id": 1, "visited_on": date(2024, 4, 1)}])
    items = deadline_items(reg, now=local(2024, 9, 1, 12))
    assert rows(items, "D12") == [(1, 1, date(2024, 2, 29), "on_time"), (1, 2, date(2024, 2, 29), "overdue"),
                                  (1, 3, date(2025, 2, 28), "on_time"), (1, 4, date(2025, 2, 28), "open")]
    # A register that starts on 1 March 2024 leaves out the year before.
    recent = deadline_items(reg, now=local(2024, 9, 1, 12), since=date(2024, 3, 1))
    assert [r[1] for r in rows(recent, "D12")] == [3, 4]


def test_supervision_short_placement_needs_one_visit():
    # Placement 1 March - 1 July 2023 (122 of the window's 366 days): ceil(2 x 122/366) = 1
    # visit, due on the last day, 30 June 2023. A home-based measure (step 3) has no supervision.
    reg = register(episodes=[episode(1, 6, date(2023, 3, 1), date(2023, 7, 1)),
                             episode(2, 3, date(2023, 3, 1), child=2)],
                   supervision_visits=[{"visit_id": 1, "child_id": 1, "episode_id": 1, "visited_on": date(2023, 5, 1)}])
    items = deadline_items(reg, now=local(2024, 9, 1, 12))
    assert rows(items, "D12") == [(1, 1, date(2023, 6, 30), "on_time")]


# ---------------------------------------------------------------- D14: ungeplan

def test_ungeplan_six_months_before_18():
    # Child 1 born 15 March 2007: 18 on 15 March 2025, ungeplan due 15 September 2024; measure
    # ongoing at 17½; plan 1 August 2024 (age 17) -> on time.
    # Child 2 born 20 May 2007: due 20 November 2024; placed; plan 1 December 2024 -> late.
    # Child 3 born 1 June 2007: due 1 December 2024; only a plan at 16 (not in the window) ->
    # overdue on 1 January 2025.
    # Child 4 born 1 July 2007: measure ended before 17½ -> no ungeplan item.
    # Child 5 born 1 July 2007: no measure at all -> no item.
    kids = [{"child_id": i, "birth_date": b, "sex": "F", "district_code": "A", "entry_date": b}
            for i, b in [(1, date(2007, 3, 15)), (2, date(2007, 5, 20)), (3, date(2007, 6, 1)),
                         (4, date(2007, 7, 1)), (5, date(2007, 7, 1))]]
    reg = register(
        children=kids,
        episodes=[episode(1, 3, date(2023, 1, 1)), episode(2, 5, date(2022, 1, 1), child=2),
                  episode(3, 3, date(2022, 1, 1), child=3), episode(4, 3, date(2022, 1, 1), date(2024, 6, 1), child=4)],
        plans=[{"plan_id": 1, "child_id": 1, "made_on": date(2024, 8, 1)},
               {"plan_id": 2, "child_id": 2, "made_on": date(2024, 12, 1)},
               {"plan_id": 3, "child_id": 3, "made_on": date(2023, 8, 1)}],
    )
    items = deadline_items(reg, now=local(2025, 1, 1, 12))
    assert rows(items, "D14") == [(1, 1, date(2024, 9, 15), "on_time"), (2, 1, date(2024, 11, 20), "late"),
                                  (3, 1, date(2024, 12, 1), "overdue")]
    assert set(items.filter(pl.col("duty_id") == "D14")["ref_table"]) == {"children"}


# ---------------------------------------------------------------- D16: complaints

def test_complaint_reassessed_within_four_weeks():
    # Received Tuesday 5 March 2024 + 4 weeks = Tuesday 2 April 2024.
    reg = register(complaints=[
        {"complaint_id": 1, "child_id": 1, "received_on": date(2024, 3, 5), "reassessed_on": date(2024, 4, 2)},
        {"complaint_id": 2, "child_id": 1, "received_on": date(2024, 3, 5), "reassessed_on": date(2024, 4, 3)},
        {"complaint_id": 3, "child_id": 1, "received_on": date(2024, 3, 5)},
    ])
    assert rows(deadline_items(reg, now=local(2024, 4, 2, 23, 59)), "D16") == [
        (1, 1, date(2024, 4, 2), "on_time"), (2, 1, date(2024, 4, 2), "late"), (3, 1, date(2024, 4, 2), "open")]
    assert rows(deadline_items(reg, now=local(2024, 4, 3, 0, 0, 1)), "D16")[2][3] == "overdue"


# ---------------------------------------------------------------- the frame itself

def _mixed() -> Register:
    return register(
        notifications=[notification(1, local(2024, 3, 29, 14)),
                       {**notification(2, local(2024, 3, 30, 10), "parent"), "child_id": 2}],
        episodes=[episode(1, 5, date(2023, 3, 1)), episode(2, 3, date(2024, 1, 10), child=2)],
        complaints=[{"complaint_id": 1, "child_id": 2, "received_on": date(2024, 3, 5)}],
    )


def test_schema_sources_and_order():
    items = deadline_items(_mixed(), now=local(2024, 9, 1, 12))
    assert items.schema == pl.Schema(DEADLINE_ITEM_SCHEMA)
    assert set(items["status"]) <= set(STATUSES)
    assert items["legal_source"].null_count() == 0
    assert items.filter(pl.col("duty_id") == "D12")["legal_source"][0] == \
        "Barnets Lov § 156 stk. 5 (tidl. serviceloven § 148)"
    assert items["due_at"].is_sorted()
    assert items.select("duty_id", "ref_table", "ref_id", "seq").is_duplicated().sum() == 0


def test_one_child_equals_filtering_the_whole():
    reg, now = _mixed(), local(2024, 9, 1, 12)
    whole = deadline_items(reg, now=now)
    for child in (1, 2):
        assert deadline_items_for_child(reg, child_id=child, now=now).equals(
            whole.filter(pl.col("child_id") == child))


def test_empty_register_gives_empty_frame():
    items = deadline_items(Register.from_frames(), now=local(2024, 9, 1, 12))
    assert items.is_empty() and items.schema == pl.Schema(DEADLINE_ITEM_SCHEMA)


def test_naive_now_refused():
    with pytest.raises(InvalidInput, match="now"):
        deadline_items(_mixed(), now=datetime(2024, 9, 1, 12))


def test_staircase_decides_which_steps_are_measures():
    # Borås has five steps; step 6 does not exist there, so an episode on step 6 has no duties,
    # while on Socialstyrelsen's staircase it is residential care (D9, D10, D12).
    reg = register(episodes=[episode(1, 6, date(2024, 1, 10))])
    now = local(2024, 9, 1, 12)
    assert deadline_items(reg, now=now, staircase=load_staircase(None)).height > 0
    from importlib import resources
    boraas = load_staircase(str(resources.files("trappen.staircase") / "data" / "boraas.toml"))
    assert deadline_items(reg, now=now, staircase=boraas).is_empty()


def test_caseload_equals_filtering_the_whole():
    reg, now = _mixed(), local(2024, 9, 1, 12)
    from trappen.deadlines import deadline_items_for_children
    got = deadline_items_for_children(reg, child_ids=[2], now=now)
    assert got.height > 0 and got.equals(deadline_items(reg, now=now).filter(pl.col("child_id") == 2))


def test_status_invariants():
    items = deadline_items(_mixed(), now=local(2024, 9, 1, 12))
    not_done = items["done_at"].is_null()
    assert (items.filter(not_done)["status"].is_in(["open", "overdue"])).all()
    assert (items.filter(~not_done)["status"].is_in(["on_time", "late"])).all()


def test_done_exactly_at_the_due_instant_is_on_time():
    # Received Monday 4 March 2024 09:15:30 CET; assessed exactly 24 hours later.
    received = local(2024, 3, 4, 9, 15, 30)
    reg = register(notifications=[notification(1, received, "parent", assessed_at=local(2024, 3, 5, 9, 15, 30))])
    assert rows(deadline_items(reg, now=local(2024, 3, 6, 9)), "D1") == [(1, 1, date(2024, 3, 5), "on_time")]


@pytest.mark.parametrize("since", [date(2020, 1, 1), date(2023, 3, 31), date(2024, 6, 1), date(2026, 1, 1)])
def test_since_equals_filtering_the_whole(since):
    # `since` is pushed into every duty (episodes that ended earlier, windows, notifications
    # received long before are skipped early): the result must equal filtering afterwards.
    from trappen.synthetic import generate
    reg = generate(children=1500, years=5, seed=3, end_date=date(2025, 6, 30))
    now = local(2025, 6, 30, 12)
    whole = deadline_items(reg, now=now)
    got = deadline_items(reg, now=now, since=since)
    assert got.equals(whole.filter(pl.col("due_on") >= since))
    assert whole.height > got.height
