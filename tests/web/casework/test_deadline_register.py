"""The fast reads behind My day, the team page and the case page give what the plain ORM read
gave: ``register_for_children`` the same frames, and the narrowed
``deadline_register_for_children`` the same open and overdue items as the whole register."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from trappen.deadlines import default_duties
from trappen.register import TABLES, Register
from trappen.web.casework import selectors as sel
from trappen.web.register import models as m
from trappen.web.register.selectors import _SNAPSHOT

UTC = dt.UTC


def _law(items: pl.DataFrame) -> pl.DataFrame:
    """The items of Barnets Lov's duties (``open_deadlines`` adds the collaboration duties)."""
    return items.filter(pl.col("duty_id").is_in(default_duties().ids))


def _orm_register(child_ids: list[int]) -> Register:
    """The register as read before the fast path: Django's values_list, row by row."""
    frames = {}
    for name in sel._CHILD_TABLES:
        model, fields = _SNAPSHOT[name]
        key = "pk__in" if name == "children" else "child_id__in"
        rows = list(model.objects.filter(**{key: child_ids}).order_by("pk").values_list(*fields))
        frames[name] = pl.DataFrame(rows, schema=TABLES[name].schema, orient="row")
    return Register.from_frames(meta={"source": "operational database"}, **frames)


@pytest.fixture
def casework_on_top(loaded):
    """The generated register plus open work of every kind the narrowing keeps or drops: an
    unassessed notification (whole seconds), an unacknowledged professional one (microseconds),
    an assessed private one, an unre-assessed complaint."""
    children = list(m.Child.objects.order_by("pk").values_list("pk", flat=True)[:3])
    m.Notification.objects.create(child_id=children[0], notifier_kind="school",
                                  received_at=dt.datetime(2025, 12, 20, 9, 0, tzinfo=UTC))
    m.Notification.objects.create(child_id=children[1], notifier_kind="police",
                                  received_at=dt.datetime(2025, 12, 21, 9, 30, 5, 123456, tzinfo=UTC),
                                  assessed_at=dt.datetime(2025, 12, 21, 20, 0, 0, 1, tzinfo=UTC),
                                  outcome="no_action")
    m.Notification.objects.create(child_id=children[2], notifier_kind="citizen",
                                  received_at=dt.datetime(2025, 12, 22, 9, 0, tzinfo=UTC),
                                  assessed_at=dt.datetime(2025, 12, 22, 10, 0, tzinfo=UTC), outcome="no_action")
    m.Complaint.objects.create(child_id=children[0], received_on=dt.date(2025, 12, 1))
    return loaded


def test_register_for_children_equals_the_orm_read(casework_on_top):
    ids = list(m.Child.objects.values_list("pk", flat=True))
    fast, orm = sel.register_for_children(ids), _orm_register(ids)
    assert orm.tables["notifications"]["received_at"].dt.microsecond().n_unique() > 1
    for name in sel._CHILD_TABLES:
        assert_frame_equal(fast.tables[name], orm.tables[name])
    # the read compiled once is run again with other children
    some = ids[::7]
    fast, orm = sel.register_for_children(some), _orm_register(some)
    for name in sel._CHILD_TABLES:
        assert_frame_equal(fast.tables[name], orm.tables[name])


@pytest.mark.parametrize("now", [dt.datetime(2024, 6, 1, 12, tzinfo=UTC), dt.datetime(2025, 3, 3, 8, tzinfo=UTC),
                                 dt.datetime(2025, 12, 31, 15, tzinfo=UTC), dt.datetime(2026, 9, 1, 6, tzinfo=UTC)])
def test_narrowed_register_gives_the_same_open_items(casework_on_top, now):
    ids = list(m.Child.objects.values_list("pk", flat=True))
    since = now.date() - dt.timedelta(days=sel.DEADLINE_LOOKBACK_DAYS)
    narrowed = sel.deadline_register_for_children(ids, since=since)
    whole = _orm_register(ids)
    expected = sel.open_items(whole, now=now, since=since)
    assert expected.height > 0
    assert_frame_equal(_law(sel.open_deadlines(ids, now=now)), expected)
    # the narrowing drops rows: done notifications and episodes ended before `since`
    assert narrowed.tables["notifications"].height < whole.tables["notifications"].height
    assert narrowed.tables["episodes"].height < whole.tables["episodes"].height
    assert narrowed.tables["follow_ups"].height < whole.tables["follow_ups"].height


def test_kept_items_follow_every_write_and_the_clock(casework_on_top):
    """My day keeps the engine's items per process (``open_deadlines``): a write to one of the
    children's records, or time passing a due instant, must show at once, as a fresh engine
    run over the whole register gives it."""
    ids = list(m.Child.objects.values_list("pk", flat=True))
    notification = m.Notification.objects.get(notifier_kind="school", assessed_at=None)

    def fresh(now: dt.datetime) -> pl.DataFrame:
        since = now.date() - dt.timedelta(days=sel.DEADLINE_LOOKBACK_DAYS)
        return sel.open_items(_orm_register(ids), now=now, since=since)

    def assessment(items: pl.DataFrame) -> list[str]:
        return items.filter(pl.col("duty_id") == "D1", pl.col("ref_id") == notification.pk)["status"].to_list()

    before = notification.received_at + dt.timedelta(hours=23)  # the 24-hour clock still runs
    after = notification.received_at + dt.timedelta(hours=25)   # the same local day: past due
    kept = sel.open_deadlines(ids, now=before)
    assert assessment(kept) == ["open"]
    assert_frame_equal(sel.open_deadlines(ids, now=before), kept)  # the kept items, unchanged
    assert assessment(sel.open_deadlines(ids, now=after)) == ["overdue"]
    assert_frame_equal(_law(sel.open_deadlines(ids, now=after)), fresh(after))
    # a write: the assessment is made, and the duty leaves My day
    m.Notification.objects.filter(pk=notification.pk).update(assessed_at=after, outcome="no_action")
    assert assessment(sel.open_deadlines(ids, now=after)) == []
    assert_frame_equal(_law(sel.open_deadlines(ids, now=after)), fresh(after))
    # a deleted record goes too
    complaint = m.Complaint.objects.order_by("-pk").first()  # the fixture's, not yet re-assessed
    assert sel.open_deadlines(ids, now=after).filter(pl.col("duty_id") == "D16",
                                                     pl.col("ref_id") == complaint.pk).height == 1
    complaint.delete()
    assert_frame_equal(_law(sel.open_deadlines(ids, now=after)), fresh(after))
