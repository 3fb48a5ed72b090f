"""Labels found wrong walking the demo as each role (helper D)."""

from __future__ import annotations

from django.utils import translation


def test_an_open_offer_reads_aaben_not_the_verb():
    """An offer's status "open" read "Åbn" (the button's verb) on the offer page."""
    from trappen.web import labels

    with translation.override("da"):
        assert labels.label("open", "offer_status") == "Åben"
        assert str(translation.gettext("Open")) == "Åbn"  # the button stays a verb
    with translation.override("en"):
        assert labels.label("open", "offer_status") == "Open"
