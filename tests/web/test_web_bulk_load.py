"""Bulk load of an analytic register and the snapshot back: counts and a round trip."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from trappen.errors import RegisterInvalid
from trappen.register import TABLE_NAMES
from trappen.web.register import models as m
from trappen.web.register.crypto import cpr_cipher
from trappen.web.register.selectors import register_snapshot
from trappen.web.register.services import register_bulk_load

pytestmark = pytest.mark.django_db


def test_counts_equal_the_register(small_register):
    counts = register_bulk_load(small_register)
    for name in TABLE_NAMES:
        assert counts[name] == small_register.tables[name].height, name
    assert m.Child.objects.count() == small_register.children.height
    assert m.Episode.objects.count() == small_register.episodes.height
    assert m.Team.objects.count() == small_register.caseworkers["team_code"].n_unique()


def test_snapshot_round_trip_is_exact_and_pseudonymous(small_register):
    register_bulk_load(small_register)
    snapshot = register_snapshot()
    for name in TABLE_NAMES:
        key = list(small_register.tables[name].columns)
        assert_frame_equal(snapshot.tables[name].sort(key), small_register.tables[name].sort(key),
                           check_dtypes=True)
    assert "name" not in snapshot.children.columns and "cpr_lookup" not in snapshot.children.columns


def test_children_get_synthetic_names_and_valid_encrypted_cpr(small_register):
    register_bulk_load(small_register)
    child = m.Child.objects.order_by("pk").first()
    cpr = cpr_cipher().decrypt(bytes(child.cpr_encrypted))
    assert cpr[:6] == child.birth_date.strftime("%d%m%y")
    assert int(cpr[-1]) % 2 == (1 if child.sex == "M" else 0)
    assert child.name and child.cpr_lookup == cpr_cipher().lookup_hash(cpr)
    assert m.Child.objects.values("cpr_lookup").distinct().count() == m.Child.objects.count()


def test_reload_replaces_and_new_rows_get_fresh_ids(small_register):
    register_bulk_load(small_register)
    register_bulk_load(small_register)  # clears first: no duplicates
    assert m.Child.objects.count() == small_register.children.height
    new = m.Episode.objects.create(child=m.Child.objects.first(), intervention_code="PPR_CONSULTATION",
                                   step=1, start_date=small_register.episodes["start_date"].min())
    assert new.pk > small_register.episodes["episode_id"].max()


def test_bad_register_loads_nothing(small_register):
    register_bulk_load(small_register)
    broken = small_register.replace(
        episodes=small_register.episodes.with_columns(
            pl.when(pl.int_range(pl.len()) == 0).then(999_999_999).otherwise(pl.col("child_id"))
            .cast(pl.Int64).alias("child_id")))
    with pytest.raises(RegisterInvalid,
                       match=r"episodes, row 1, column 'child_id': unknown child id \(value: 999999999\)"):
        register_bulk_load(broken)
    assert m.Child.objects.count() == small_register.children.height  # old data still there
    assert m.Episode.objects.count() == small_register.episodes.height
