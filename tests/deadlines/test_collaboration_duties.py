"""The municipality's collaboration duties (#16 item 5): agreed actions by their due date (C1)
and a cross-disciplinary meeting at a set interval while a child is helped on steps 1-3 (C2),
computed as the deadline engine computes the law's duties."""

from __future__ import annotations

import datetime as dt
import random
from importlib import resources

import polars as pl
import pytest

from trappen.deadlines import (
    ACTION_SCHEMA,
    DEADLINE_ITEM_SCHEMA,
    MEETING_SCHEMA,
    collaboration_items,
    default_collaboration_duties,
    load_collaboration_duties,
)
from trappen.errors import ConfigurationError

NOW = dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC)
D = dt.date


def _actions(rows):
    return pl.DataFrame(rows, schema=ACTION_SCHEMA, orient="row")


def _meetings(rows):
    return pl.DataFrame(rows, schema=MEETING_SCHEMA, orient="row")


def _episodes(rows):
    return pl.DataFrame(rows, schema={"child_id": pl.Int64, "step": pl.Int64, "start_date": pl.Date,
                                      "end_date": pl.Date}, orient="row")


def _status(items, duty, child, **where):
    part = items.filter(pl.col("duty_id") == duty, pl.col("child_id") == child)
    for column, value in where.items():
        part = part.filter(pl.col(column) == value)
    return part.sort("seq")["status"].to_list()


def test_agreed_actions_are_due_on_their_day_and_a_cancelled_one_is_no_duty():
    actions = _actions([(1, 10, 5, D(2026, 11, 1), "open", None),        # overdue
                        (2, 10, 5, D(2026, 12, 20), "open", None),       # open
                        (3, 10, 5, D(2026, 11, 20), "done", D(2026, 11, 18)),  # on time
                        (4, 11, 6, D(2026, 10, 1), "done", D(2026, 10, 9)),    # late
                        (5, 11, 6, D(2026, 10, 1), "cancelled", None)])
    items = collaboration_items(actions=actions, meetings=_meetings([]), episodes=_episodes([]), now=NOW)
    assert list(items.schema) == list(DEADLINE_ITEM_SCHEMA)
    assert _status(items, "C1", 5) == ["overdue", "on_time", "open"]  # by due date within the meeting
    assert _status(items, "C1", 6) == ["late"]
    assert set(items["ref_table"]) == {"meetings"} and set(items["ref_id"]) == {10, 11}
    # an action due today is open until the end of the local day
    today = _actions([(6, 12, 7, D(2026, 12, 7), "open", None)])
    assert _status(collaboration_items(actions=today, meetings=_meetings([]), episodes=_episodes([]), now=NOW),
                   "C1", 7) == ["open"]


def test_a_meeting_is_due_at_the_interval_while_a_child_is_helped_on_the_lower_steps():
    episodes = _episodes([(5, 2, D(2026, 5, 1), None),      # step 2 since May
                          (6, 1, D(2026, 6, 1), None),      # step 1 since June, only a handover
                          (7, 4, D(2026, 1, 1), None),      # a placement: not this duty
                          (8, 2, D(2025, 1, 1), D(2026, 3, 1))])  # ended: no duty
    meetings = _meetings([(10, 5, "cross_disciplinary", D(2026, 10, 1)),
                          (11, 6, "handover", D(2026, 8, 2)),
                          (12, 5, "network_meeting", D(2027, 1, 15))])  # planned, not yet held
    items = collaboration_items(actions=_actions([]), meetings=meetings, episodes=episodes, now=NOW)
    c5 = items.filter(pl.col("child_id") == 5).sort("seq")
    assert c5["due_on"].to_list() == [D(2026, 8, 1), D(2027, 1, 1)]  # 3 months after the start, then the meeting
    assert c5["status"].to_list() == ["late", "open"]
    assert _status(items, "C2", 6) == ["overdue"]  # a handover is not a cross-disciplinary meeting
    assert items.filter(pl.col("child_id").is_in([7, 8])).height == 0
    # the municipality sets the interval; 0 = no such duty
    assert collaboration_items(actions=_actions([]), meetings=meetings, episodes=episodes, now=NOW,
                               months=6).filter(pl.col("child_id") == 6)["due_on"].to_list() == [D(2026, 12, 1)]
    assert collaboration_items(actions=_actions([]), meetings=meetings, episodes=episodes, now=NOW,
                               months=0).height == 0


def test_a_meeting_missing_for_longer_than_the_look_back_stays_a_duty():
    """My day looks a year back (``since``); a child helped for two years without a meeting must
    not drop off it, nor an action left open that long."""
    episodes = _episodes([(5, 2, D(2024, 9, 1), None)])
    actions = _actions([(1, 10, 5, D(2025, 2, 1), "open", None), (2, 10, 5, D(2025, 3, 1), "done", D(2025, 3, 1))])
    items = collaboration_items(actions=actions, meetings=_meetings([]), episodes=episodes, now=NOW,
                                since=D(2025, 12, 7))
    assert items.select("duty_id", "due_on", "status").rows() == [
        ("C2", D(2024, 12, 1), "overdue"), ("C1", D(2025, 2, 1), "overdue")]


def test_one_meeting_item_per_meeting_held_plus_the_next_against_an_independent_count():
    rng = random.Random(7)
    episodes, meetings = [], []
    for child in range(1, 60):
        start = D(2024, 1, 1) + dt.timedelta(days=rng.randrange(900))
        episodes.append((child, rng.choice([1, 2, 3, 5]), start, None))
        for k in range(rng.randrange(6)):
            meetings.append((child * 100 + k, child, rng.choice(["cross_disciplinary", "handover", "network_meeting"]),
                             start + dt.timedelta(days=rng.randrange(-60, 900))))
    items = collaboration_items(actions=_actions([]), meetings=_meetings(meetings), episodes=_episodes(episodes),
                                now=NOW)
    kinds = set(default_collaboration_duties().get("C2").meeting_kinds)
    for child, step, start, _end in episodes:
        if start > NOW.date() or step not in (1, 2, 3):
            expected = 0
        else:
            expected = 1 + sum(1 for _id, c, kind, held in meetings
                               if c == child and kind in kinds and start <= held <= NOW.date())
        got = items.filter(pl.col("child_id") == child)
        assert got.height == expected, child
        assert got.filter(pl.col("done_at").is_null()).height == min(expected, 1)  # only the last is not done


def test_a_bad_rule_file_names_the_key(tmp_path):
    bad = tmp_path / "collaboration.toml"
    shipped = resources.files("trappen.deadlines") / "data" / "collaboration.toml"
    bad.write_text(shipped.read_text(encoding="utf-8").replace("months = 3\n", ""), encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        load_collaboration_duties(bad)
    assert "duties.C2.params.months" in str(caught.value)
