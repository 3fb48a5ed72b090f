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


def test_the_catalogue_legal_bases_are_danish():
    """An offer's "Hjemmel" (copied from the catalogue) read "universal services (sundhedsloven
    § 120)" on a Danish page."""
    from trappen.staircase import default_catalogue

    english = [t.code for t in default_catalogue().types if "universal" in t.barnets_lov or "services" in t.barnets_lov]
    assert english == []
