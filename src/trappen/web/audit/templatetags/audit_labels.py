"""``{{ event.purpose|purpose_label }}``: a stated purpose (trappen.privacy.roles.PURPOSES) by its
label in the active language; any other text (a refusal, a partner's sharing check) as written."""

from __future__ import annotations

from django import template
from django.utils.translation import get_language

from trappen.privacy.roles import PURPOSES

register = template.Library()


def purpose_label(code: object) -> str:
    text = str(code or "")
    purpose = PURPOSES.get(text)
    if purpose is None:
        return text
    return purpose.label_en if (get_language() or "da").startswith("en") else purpose.label_da


def purpose_choices() -> list[tuple[str, str]]:
    """Every purpose, by its label, after an empty "any" choice."""
    return [("", "—"), *((code, purpose_label(code)) for code in PURPOSES)]


register.filter("purpose_label", purpose_label)
