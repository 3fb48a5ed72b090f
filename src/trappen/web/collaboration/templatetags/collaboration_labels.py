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
