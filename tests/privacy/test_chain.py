"""The audit hash chain: hand-computed hash, intact chain, and every kind of tampering."""

import hashlib
from dataclasses import FrozenInstanceError
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from trappen.privacy.chain import GENESIS, canonical_json, entry_hash, verify_chain

FIELDS = ("at", "username", "child_id", "action", "purpose")


def _chain(n: int = 5, *, with_previous: bool = True) -> list[dict]:
    rows, previous = [], GENESIS
    for i in range(1, n + 1):
        fields = {"at": datetime(2026, 3, 1, 9, i, tzinfo=UTC), "username": f"cw{i % 2}",
                  "child_id": 100 + i, "action": "read", "purpose": "own_case"}
        row = {"id": i, **fields, "entry_hash": entry_hash(previous_hash=previous, fields=fields)}
        if with_previous:
            row["previous_hash"] = previous
        rows.append(row)
        previous = row["entry_hash"]
    return rows


def _kinds(breaks):
    return [(b.row_id, b.kind) for b in breaks]


def test_hash_by_hand():
    expected = hashlib.sha256(
        b'{"fields":{"a":1,"b":"\xc3\xa6"},"previous_hash":"' + b"0" * 64 + b'"}').hexdigest()
    assert entry_hash(previous_hash=GENESIS, fields={"b": "æ", "a": 1}) == expected
    assert GENESIS == "0" * 64


def test_key_order_irrelevant_previous_hash_matters():
    one = entry_hash(previous_hash=GENESIS, fields={"a": 1, "b": 2})
    assert one == entry_hash(previous_hash=GENESIS, fields={"b": 2, "a": 1})
    assert one != entry_hash(previous_hash="1" * 64, fields={"a": 1, "b": 2})


def test_datetimes_iso_and_normalised_to_utc():
    utc = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    copenhagen = utc.astimezone(timezone(timedelta(hours=1)))
    assert entry_hash(previous_hash=GENESIS, fields={"at": utc}) == \
        entry_hash(previous_hash=GENESIS, fields={"at": copenhagen})
    assert b'"2026-03-01T08:00:00+00:00"' in canonical_json(previous_hash=GENESIS,
                                                            fields={"at": copenhagen})
    naive = datetime(2026, 3, 1, 8, 0)
    assert entry_hash(previous_hash=GENESIS, fields={"at": naive}) != \
        entry_hash(previous_hash=GENESIS, fields={"at": utc})
    assert b'"2026-03-01"' in canonical_json(previous_hash=GENESIS, fields={"d": date(2026, 3, 1)})
    assert b'"1.50"' in canonical_json(previous_hash=GENESIS, fields={"x": Decimal("1.50")})


def test_unknown_types_refused():
    with pytest.raises(TypeError):
        entry_hash(previous_hash=GENESIS, fields={"x": object()})
    with pytest.raises(ValueError):
        entry_hash(previous_hash=GENESIS, fields={"x": float("nan")})


def test_intact_chain():
    assert verify_chain(_chain(), fields=FIELDS) == []
    assert verify_chain([], fields=FIELDS) == []
    assert verify_chain(_chain(with_previous=False), fields=FIELDS) == []


def test_changed_field_reported_once():
    rows = _chain()
    rows[1]["purpose"] = "colleague_cover"
    assert _kinds(verify_chain(rows, fields=FIELDS)) == [(2, "changed")]


def test_changed_field_with_recomputed_hash_breaks_next_link():
    rows = _chain()
    rows[1]["child_id"] = 999
    rows[1]["entry_hash"] = entry_hash(previous_hash=rows[1]["previous_hash"],
                                       fields={f: rows[1][f] for f in FIELDS})
    assert _kinds(verify_chain(rows, fields=FIELDS)) == [(3, "link")]


def test_deleted_row():
    rows = _chain()
    del rows[2]
    assert _kinds(verify_chain(rows, fields=FIELDS)) == [(4, "link")]


def test_deleted_first_row():
    rows = _chain()[1:]
    assert _kinds(verify_chain(rows, fields=FIELDS)) == [(2, "link")]


def test_reordered_rows():
    rows = _chain()
    rows[1], rows[2] = rows[2], rows[1]
    assert _kinds(verify_chain(rows, fields=FIELDS)) == [(3, "link"), (2, "link"), (4, "link")]


def test_without_stored_previous_hash():
    rows = _chain(with_previous=False)
    rows[3]["username"] = "someone"
    assert _kinds(verify_chain(rows, fields=FIELDS)) == [(4, "mismatch")]
    rows = _chain(with_previous=False)
    del rows[1]
    assert _kinds(verify_chain(rows, fields=FIELDS)) == [(3, "mismatch")]


def test_truncated_tail_needs_expected_head():
    rows = _chain()
    head = rows[-1]["entry_hash"]
    assert verify_chain(rows, fields=FIELDS, expected_head=head) == []
    cut = verify_chain(rows[:-2], fields=FIELDS, expected_head=head)
    assert [(b.row_id, b.position, b.kind) for b in cut] == [(None, 3, "truncated")]
    assert verify_chain(rows[:-2], fields=FIELDS) == []  # undetectable without the head


def test_missing_field_and_custom_names():
    rows = _chain()
    del rows[0]["purpose"]
    assert _kinds(verify_chain(rows, fields=FIELDS)) == [(1, "missing")]
    renamed = [{"pk": r["id"], "h": r["entry_hash"], "prev": r["previous_hash"],
                **{f: r[f] for f in FIELDS}} for r in _chain()]
    assert verify_chain(renamed, fields=FIELDS, hash_field="h", previous_field="prev",
                        id_field="pk") == []


def test_custom_genesis():
    fields = {"a": 1}
    rows = [{"id": 1, "a": 1, "previous_hash": "", "entry_hash": entry_hash(previous_hash="",
                                                                            fields=fields)}]
    assert verify_chain(rows, fields=["a"], genesis="") == []
    assert _kinds(verify_chain(rows, fields=["a"])) == [(1, "link")]


def test_break_messages_carry_no_field_values():
    rows = _chain()
    rows[1]["username"] = "secret-name"
    (brk,) = verify_chain(rows, fields=FIELDS)
    assert "secret-name" not in brk.message and "cw" not in brk.message
    with pytest.raises(FrozenInstanceError):
        brk.kind = "changed"  # type: ignore[misc]


def test_anchors_detect_a_gone_or_rewritten_row():
    from trappen.privacy.chain import Anchor, check_anchors, parse_anchors

    anchors = parse_anchors(Anchor(row_id=7, entry_hash="a" * 64, at="2026-11-23T10:00:00").to_line() + "\n\n"
                            + Anchor(row_id=9, entry_hash="b" * 64).to_line())
    assert [a.row_id for a in anchors] == [7, 9]
    assert check_anchors(anchors, {7: "a" * 64, 9: "b" * 64}) == []
    breaks = check_anchors(anchors, {7: "c" * 64})
    assert [(b.row_id, b.kind) for b in breaks] == [(7, "anchor"), (9, "anchor")]
    assert "another hash" in breaks[0].message and "gone" in breaks[1].message
    import pytest

    with pytest.raises(ValueError, match="line 2"):
        parse_anchors('{"id": 1, "entry_hash": "x"}\n{"id": "seven"}')
