"""``{{ code|label:"intervention" }}``: the name a user reads for a code (trappen.web.labels)."""

from __future__ import annotations

from django import template

from trappen.web import labels

register = template.Library()


@register.filter(name="label")
def label(code: object, kind: str) -> str:
    return labels.label(code, kind)


@register.filter(name="episode_label")
def episode_label(episode: object) -> str:
    return labels.episode_label(episode)
