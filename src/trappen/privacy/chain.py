"""An append-only audit hash chain: each entry's hash covers its fields and the previous hash.

Editing a row changes its hash; deleting, inserting or moving a row breaks the link from the
row after it. Rows deleted from the *end* leave an intact shorter chain: compare the last hash
with a head hash kept elsewhere (a printed report, another system) via ``expected_head``.

The hash is SHA-256 over canonical JSON::

    {"fields": {<sorted keys>}, "previous_hash": "<64 hex>"}

with sorted keys, no whitespace, UTF-8, datetimes as ISO 8601 (timezone-aware values converted
to UTC first, so a database round trip in another zone gives the same text), dates ISO,
Decimals, UUIDs and Enums as text. Other types are refused, so the hash never depends on a
``repr``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import Enum
from uuid import UUID

__all__ = ["GENESIS", "Anchor", "ChainBreak", "canonical_json", "check_anchors", "entry_hash", "parse_anchors",
           "verify_chain"]

GENESIS = "0" * 64
"""The ``previous_hash`` of the first entry."""

BREAK_KINDS = ("changed", "link", "mismatch", "truncated", "missing", "anchor")
"""``changed``: the row's own fields or hash were edited. ``link``: its ``previous_hash`` does not
match the row before it (a row was deleted, inserted or moved before it). ``mismatch``: rows
carry no ``previous_hash`` and the recomputed hash differs (edited, or a row before it was
deleted or moved). ``truncated``: the last hash differs from ``expected_head``. ``missing``: the
row lacks the hash field or one of the hashed fields. ``anchor``: a row recorded in an anchor
kept outside the database is gone or has another hash (the chain was rewritten up to it)."""


@dataclass(frozen=True, kw_only=True)
class ChainBreak:
    """Where and how an audit chain is broken.

    Attributes:
        row_id: the row's id (value of ``id_field``), or ``None`` for a truncated tail.
        position: 0-based position of the row in the order given.
        kind: one of :data:`BREAK_KINDS`.
        message: a sentence for an operator (ids and hashes only, never field values).
    """

    row_id: object
    position: int
    kind: str
    message: str


def _default(value: object) -> object:
    if isinstance(value, datetime):
        return (value.astimezone(UTC) if value.tzinfo is not None else value).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Decimal | UUID):
        return str(value)
    raise TypeError(f"audit chain fields must be JSON values, dates or datetimes, "
                    f"not {type(value).__name__}")


def canonical_json(*, previous_hash: str, fields: Mapping[str, object]) -> bytes:
    """The exact bytes that :func:`entry_hash` hashes (for tests and external verifiers).

    Raises:
        TypeError: a field value is of a type with no canonical text.
    """
    payload = {"fields": dict(fields), "previous_hash": previous_hash}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False, default=_default).encode("utf-8")


def entry_hash(*, previous_hash: str, fields: Mapping[str, object]) -> str:
    """SHA-256 (hex) of one chain entry: its fields and the previous entry's hash.

    Args:
        previous_hash: the previous entry's hash, or :data:`GENESIS` for the first.
        fields: the hashed fields (keys sorted, so insertion order does not matter).

    Returns:
        64 lowercase hex characters.

    Raises:
        TypeError: a field value is of a type with no canonical text.
    """
    return hashlib.sha256(canonical_json(previous_hash=previous_hash, fields=fields)).hexdigest()


def verify_chain(rows: Iterable[Mapping[str, object]], *, fields: Sequence[str],
                 hash_field: str = "entry_hash", previous_field: str = "previous_hash",
                 id_field: str = "id", genesis: str = GENESIS,
                 expected_head: str | None = None,
                 optional_fields: Sequence[str] = ()) -> list[ChainBreak]:
    """Check an audit chain in stored order; an empty list means intact.

    Each row is checked against its own stored hash and, when rows carry ``previous_field``,
    against the stored hash of the row before it. Verification continues from each row's
    *stored* hash, so one edited row is reported once, not as a cascade to the end.

    Args:
        rows: the entries in chain order (e.g. by id), as mappings.
        fields: the names of the hashed fields, exactly as when the entries were written.
        hash_field: the name of the stored hash.
        previous_field: the name of the stored previous hash; if absent from a row, the
            running previous hash is used and a break is reported as ``mismatch``.
        id_field: the name of the row id reported in breaks.
        genesis: the previous hash of the first entry.
        expected_head: the hash the last entry should have (detects rows cut off the end).
        optional_fields: fields hashed only when the row's value is not ``None`` (fields added
            after entries were written, so older entries keep their hashes).

    Returns:
        The breaks found, in order.
    """
    breaks: list[ChainBreak] = []
    previous = genesis
    position = -1
    for position, row in enumerate(rows):
        row_id = row.get(id_field)
        absent = [name for name in (hash_field, *fields) if name not in row]
        if absent:
            breaks.append(ChainBreak(row_id=row_id, position=position, kind="missing",
                                     message=f"row {row_id!r} lacks {', '.join(absent)}"))
            if hash_field in row:  # keep checking the next link against what is stored
                previous = str(row[hash_field])
            continue
        stored = row[hash_field]
        values = {name: row[name] for name in fields}
        values.update({name: row[name] for name in optional_fields if row.get(name) is not None})
        if previous_field in row:
            link = row[previous_field]
            if entry_hash(previous_hash=str(link), fields=values) != stored:
                breaks.append(ChainBreak(
                    row_id=row_id, position=position, kind="changed",
                    message=f"row {row_id!r}: its fields or hash were changed after writing"))
            elif link != previous:
                breaks.append(ChainBreak(
                    row_id=row_id, position=position, kind="link",
                    message=(f"row {row_id!r}: previous hash does not match the row before it; "
                             "a row was deleted, inserted or moved before this one")))
        elif entry_hash(previous_hash=previous, fields=values) != stored:
            breaks.append(ChainBreak(
                row_id=row_id, position=position, kind="mismatch",
                message=(f"row {row_id!r}: hash does not match; it was changed, or a row before "
                         "it was deleted or moved")))
        previous = str(stored)
    if expected_head is not None and previous != expected_head:
        breaks.append(ChainBreak(
            row_id=None, position=position + 1, kind="truncated",
            message="the last hash differs from the expected head: rows were removed from the "
                    "end, or the head belongs to another chain"))
    return breaks


@dataclass(frozen=True, kw_only=True)
class Anchor:
    """A chain head written down outside the database: the newest row's id and hash then.

    Anyone who can rewrite the database can rebuild a consistent chain; they cannot change the
    anchors kept elsewhere (another server, a printed log, an e-mail to the data-protection
    officer), so :func:`check_anchors` detects a chain rewritten up to any anchored row.
    """

    row_id: int
    entry_hash: str
    at: str = ""

    def to_line(self) -> str:
        return json.dumps({"id": self.row_id, "entry_hash": self.entry_hash, "at": self.at}, sort_keys=True)


def parse_anchors(text: str, *, source: str = "anchors") -> list[Anchor]:
    """Anchors from JSON lines (``{"id": ..., "entry_hash": ..., "at": ...}``; blank lines skipped).

    Raises:
        ValueError: a line that is not such an object, naming the source and line number.
    """
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            out.append(Anchor(row_id=int(data["id"]), entry_hash=str(data["entry_hash"]), at=str(data.get("at", ""))))
        except (ValueError, TypeError, KeyError):
            raise ValueError(f"{source} line {number}: not an anchor (a JSON object with id and entry_hash)") from None
    return out


def check_anchors(anchors: Iterable[Anchor], stored: Mapping[int, str]) -> list[ChainBreak]:
    """Breaks for anchors whose row is gone or now has another hash; ``stored`` maps row id to
    its stored hash (at least the anchored ids). An empty list means every anchor holds."""
    breaks = []
    for position, anchor in enumerate(anchors):
        now = stored.get(anchor.row_id)
        when = f" (anchored {anchor.at})" if anchor.at else ""
        if now is None:
            breaks.append(ChainBreak(row_id=anchor.row_id, position=position, kind="anchor",
                                     message=f"row {anchor.row_id}{when} is gone"))
        elif now != anchor.entry_hash:
            breaks.append(ChainBreak(row_id=anchor.row_id, position=position, kind="anchor",
                                     message=f"row {anchor.row_id}{when} has another hash than anchored"))
    return breaks
