"""``{{ code|clabel }}``: the label of a collaboration code (trappen.web.collaboration.labels)."""

from __future__ import annotations

from django import template

from trappen.web.collaboration.labels import LABELS

register = template.Library()


@register.filter
def clabel(code: object) -> object:
    return LABELS.get(str(code), code)


@register.filter
def pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f} %"


@register.filter
def reason_label(reason: object) -> object:
    """A refusal reason (``refused:<group>:<why>``) as its label, e.g. "no consent or legal basis"."""
    text = str(reason or "")
    return LABELS.get(text.rsplit(":", 1)[-1], text) if text else ""
