"""Which parts of a meeting's minutes go to which participant (rules as data: ``data/minutes.toml``).

A partner participant receives a part only while its field group is shared with their
organisation (:func:`partner_parts`); without ``meetings`` nothing is sent. Participants without
a login get a recorded dispatch by a channel (Digital Post, letter) with the parts of their kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Annotated

from pydantic import AfterValidator

from trappen._config import read_toml
from trappen._validation import StrictModel, validate_rule_file
from trappen.collaboration.sharing import FIELD_GROUPS, known

MINUTES_PARTS = ("child", "meeting", "participants", "decisions", "actions", "child_view", "parents_view")
"""The parts of a meeting's minutes, in the order they are shown."""
CHANNELS = ("trappen", "digital_post", "letter")
"""How minutes reach a participant: in Trappen (a user), recorded as sent by Digital Post or letter."""
OUTSIDE_KINDS = ("parent", "child", "support_person", "network_person")
"""Participant kinds without a login."""


def _parts(v: dict[str, str]) -> dict[str, str]:
    known(v, MINUTES_PARTS, "minutes part")
    known(v.values(), FIELD_GROUPS, "field group")
    missing = [p for p in MINUTES_PARTS if p not in v]
    if missing:
        raise ValueError(f"minutes part {missing[0]!r} has no field group")
    return v


class _Outside(StrictModel):
    channel: Annotated[str, AfterValidator(lambda v: known([v], CHANNELS, "channel")[0])]
    parts: Annotated[list[str], AfterValidator(lambda v: known(v, MINUTES_PARTS, "minutes part"))]


class _File(StrictModel):
    parts: Annotated[dict[str, str], AfterValidator(_parts)]
    outside: Annotated[dict[str, _Outside], AfterValidator(lambda v: {
        k: o for k, o in zip(known(v, OUTSIDE_KINDS, "participant kind"), v.values(), strict=True)})]


@dataclass(frozen=True, kw_only=True)
class MinutesRules:
    group_of: Mapping[str, str]
    """Each part's field group."""
    outside: Mapping[str, tuple[str, tuple[str, ...]]]
    """Per participant kind without a login: (channel, parts)."""


def load_minutes_rules(path: str | Path | None = None) -> MinutesRules:
    """The minutes rules file (the shipped one when ``path`` is None).

    Raises:
        ConfigurationError: unreadable file, an unknown part, field group, channel or
            participant kind, a part without a group; each naming the file, key path and value.
    """
    data, where = read_toml(path, package="trappen.collaboration", name="minutes.toml")
    model = validate_rule_file(_File, data, where=where)
    return MinutesRules(group_of=MappingProxyType(dict(model.parts)), outside=MappingProxyType(
        {k: (o.channel, tuple(p for p in MINUTES_PARTS if p in o.parts)) for k, o in model.outside.items()}))


@cache
def minutes_rules() -> MinutesRules:
    """The shipped rules (loaded once)."""
    return load_minutes_rules()


def partner_parts(allowed_groups: Iterable[str], rules: MinutesRules | None = None) -> tuple[str, ...]:
    """The parts a partner receives when ``allowed_groups`` are shared with their organisation:
    none without ``meetings`` (the minutes are the meeting's), else each part whose group is shared."""
    groups = set(allowed_groups)
    table = rules or minutes_rules()
    if "meetings" not in groups:
        return ()
    return tuple(p for p in MINUTES_PARTS if table.group_of[p] in groups)


def outside_dispatch(kind: str, rules: MinutesRules | None = None) -> tuple[str, tuple[str, ...]] | None:
    """(channel, parts) for a participant of ``kind`` without a login; None for kinds with one."""
    return (rules or minutes_rules()).outside.get(kind)
