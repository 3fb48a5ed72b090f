"""Pydantic at the core's boundary: shared field types, and the translation of pydantic's
``ValidationError`` into :class:`trappen.errors.Problem` s.

Each problem's ``field`` is the key path a user sees in the file (``"discount.periods[0].from_year"``,
``"effect.success_rate_with.dist"``), never pydantic's internal location: union tags (``~``-prefixed,
or a discriminator's value) and ``[key]`` markers are dropped, and items of some lists are named by
one of their keys (``"costs.Extra caseworkers.fte"`` rather than ``"costs[0].fte"``).

A validator that wants a problem on a sub-key raises ``PydanticCustomError`` with ``sub_key`` in
its context (appended to the path; the value becomes that key's value) and may set ``shown_value``.

Rule files (staircase, catalogue, duties, KPIs, permissions, mappings) go through
:func:`validate_rule_file`: every problem at once, as one :class:`~trappen.errors.ConfigurationError`
naming the file, each key path and each bad value (:func:`rule_file_error`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from trappen.errors import ConfigurationError, Problem

Finite = Annotated[float, Field(allow_inf_nan=False)]
"""A finite number; in strict models an integer is accepted, a boolean or text is not."""


def _step_number(key: str) -> str:
    try:
        int(key)
    except ValueError:
        raise PydanticCustomError("step_key", 'keys must be step numbers, e.g. "5"') from None
    return key


StepKey = Annotated[str, AfterValidator(_step_number)]
"""A table key that is a step number written as text (TOML keys are text): ``"6" = -0.5``."""


def _not_blank(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank", "must not be empty")
    return value


Text = Annotated[str, AfterValidator(_not_blank)]
"""Text that is not empty or only spaces (a name, a rule, a legal source)."""


def one_of(choices: Iterable[object], *, what: str) -> AfterValidator:
    """A validator refusing a value not in ``choices``: ``"unknown <what>; use one of a, b"``.

    Use it instead of ``Literal`` where the choices are data (``CATEGORIES``, ``ROLES``) and the
    message should say what kind of value it is.
    """
    allowed = tuple(choices)
    shown = ", ".join(str(c) for c in allowed)

    def check(value: Any) -> Any:
        if value not in allowed:
            raise PydanticCustomError("unknown_choice", "unknown {what}; use one of {allowed}",
                                      {"what": what, "allowed": shown})
        return value

    return AfterValidator(check)


class StrictModel(BaseModel):
    """Strict types (TOML and JSON give typed values: no "5" for 5, no true for 1); unknown keys
    ignored unless a model says ``extra="forbid"``."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


_MESSAGES = {
    "missing": "missing",
    "int_type": "must be a whole number",
    "int_from_float": "must be a whole number",
    "float_type": "must be a number",
    "finite_number": "must be a finite number",
    "string_type": "must be text",
    "bool_type": "must be true or false",
    "dict_type": "must be a table",
    "model_type": "must be a table",
    "model_attributes_type": "must be a table",
    "list_type": "must be a list",
    "extra_forbidden": "unknown key",
}


def _message(error: Mapping[str, Any]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind in _MESSAGES:
        return _MESSAGES[kind]
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')}"
    if kind in ("greater_than_equal", "greater_than", "less_than_equal", "less_than"):
        sign = {"greater_than_equal": ">=", "greater_than": ">", "less_than_equal": "<=", "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "")
        return f"must be {sign} {bound}"
    if kind == "union_tag_invalid":
        return f"must be one of {ctx.get('expected_tags', '')}"
    if kind == "union_tag_not_found":
        return "missing"
    if kind == "too_short":
        return f"needs at least {ctx.get('min_length', 1)} item(s)"
    msg = str(error["msg"])
    return msg.removeprefix("Value error, ")


def _is_tag(part: object) -> bool:
    return isinstance(part, str) and (part.startswith("~") or part == "[key]")


def _locate(
    loc: tuple[int | str, ...], data: object, named_items: Mapping[str, str]
) -> tuple[str, str, object]:
    """(user's key path, pattern with ``*`` for list items, the raw value there)."""
    parts = [p for p in loc if not _is_tag(p)]
    path, pattern, cur = "", "", data
    for i, part in enumerate(parts):
        if isinstance(part, int) and isinstance(cur, list):
            item = cur[part] if part < len(cur) else None
            key = named_items.get(pattern)
            name = item.get(key) if key and isinstance(item, Mapping) else None
            about_key = i + 1 < len(parts) and parts[i + 1] == key
            if isinstance(name, str | int) and not isinstance(name, bool) and not about_key:
                path += f".{name}"
            else:
                path += f"[{part}]"
            pattern += ".*"
            cur = item
        elif (
            isinstance(cur, Mapping)
            and part not in cur
            and i + 1 < len(parts)
            and str(part) in {str(v) for v in cur.values() if isinstance(v, str)}
        ):
            continue  # the tag of a discriminated union (``effect.som.x`` is ``effect.x``)
        else:
            path = f"{path}.{part}" if path else str(part)
            pattern = f"{pattern}.{part}" if pattern else str(part)
            cur = cur.get(part) if isinstance(cur, Mapping) else None
    return path, pattern, cur


def problems_from(
    exc: ValidationError,
    data: object,
    *,
    named_items: Mapping[str, str] | None = None,
    messages: Mapping[str, str] | None = None,
    table: str | None = None,
    root: str = "(input)",
) -> list[Problem]:
    """Every error of ``exc`` as a :class:`Problem` naming its key path and offending value.

    Args:
        data: the input that was validated (to name list items and quote values).
        named_items: list pattern -> the key naming its items, e.g. ``{"costs": "name"}``.
        messages: ``"<pattern>:<error type>"`` -> message, to say more than the generic one;
            ``"prices.*.*:extra_forbidden"`` matches any key of a price, ``"*:..."`` any
            top-level key.
        table: put on every problem (e.g. the file name).
        root: the field named when the whole input is wrong (not a table).
    """
    named_items = named_items or {}
    messages = messages or {}
    out = []
    for error in exc.errors():
        path, pattern, raw = _locate(error["loc"], data, named_items)
        ctx = error.get("ctx") or {}
        value: object = None if error["type"] == "missing" else error.get("input")
        if error["type"] in ("union_tag_invalid", "union_tag_not_found"):  # e.g. effect.kind
            ctx = {"sub_key": str(ctx.get("discriminator", "")).strip("'")}
        if "sub_key" in ctx:
            key = str(ctx["sub_key"])
            path = f"{path}.{key}" if path else key
            pattern = f"{pattern}.{key}" if pattern else key
            value = raw.get(key) if isinstance(raw, Mapping) else None
        if "shown_value" in ctx:
            value = ctx["shown_value"]
        parent = pattern.rpartition(".")[0]
        wildcard = f"{parent}.*" if parent else "*"
        message = (
            messages.get(f"{pattern}:{error['type']}")
            or messages.get(f"{wildcard}:{error['type']}")
            or _message(error)
        )
        out.append(Problem(field=path or root, value=value, message=message, table=table))
    return out


M = TypeVar("M", bound=BaseModel)


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:79] + "…"


def rule_file_error(problems: Sequence[Problem], *, where: str) -> ConfigurationError:
    """One :class:`ConfigurationError` for every problem of the rule file ``where``.

    The message is ``"<file>: <key path>: <what is wrong> (value: <bad value>)"`` per problem,
    joined by ``"; "`` (no value for a missing key); ``problems`` carries them as data.
    """
    parts = [f"{p.field}: {p.message}" + ("" if p.value is None else f" (value: {_shown(p.value)})")
             for p in problems[:20]]
    more = f"; and {len(problems) - 20} more" if len(problems) > 20 else ""
    tabled = [Problem(field=p.field, value=p.value, message=p.message, row=p.row, table=where) for p in problems]
    return ConfigurationError(f"{where}: " + "; ".join(parts) + more, problems=tabled)


def validate_rule_file(
    model: type[M],
    data: Mapping[str, Any],
    *,
    where: str,
    named_items: Mapping[str, str] | None = None,
    messages: Mapping[str, str] | None = None,
    context: Mapping[str, Any] | None = None,
) -> M:
    """``data`` (a parsed rule file) validated by ``model``; see :func:`problems_from` for the
    arguments.

    Args:
        where: how messages name the file (its path, or the shipped file's name).
        context: pydantic's validation context, for checks against other rules (the steps of
            the staircase a catalogue is checked against).

    Raises:
        ConfigurationError: every problem pydantic found (:func:`rule_file_error`).
    """
    try:
        return model.model_validate(data, context=dict(context) if context is not None else None)
    except ValidationError as exc:
        problems = problems_from(exc, data, named_items=named_items, messages=messages, root="(file)")
        raise rule_file_error(problems, where=where) from None
