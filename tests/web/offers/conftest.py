"""An offer catalogue in the database (the synthetic one, imported through the real service),
an economist, and offers of step 2 picked for the scene's child."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from trappen.offers import OfferCatalogue, write_offers
from trappen.synthetic import synthetic_offers


@pytest.fixture
def economist(make_user):
    return make_user("eco", "economist", [])


@pytest.fixture
def catalogue_file(tmp_path):
    path = tmp_path / "offers.xlsx"
    write_offers(synthetic_offers(seed=3), path)
    return path


@pytest.fixture
def imported(db, economist, catalogue_file):
    from trappen.web.offers.services import catalogue_import_file

    return catalogue_import_file(user=economist, path=catalogue_file)


@pytest.fixture
def small_offer(db, economist):
    """One open parenting course (step 2, ages 0-17) with a single place."""
    from trappen.offers import Offer
    from trappen.web.offers.services import catalogue_import

    offer = Offer(offer_id="X1", name="Familiebehandling Test", provider_kind="own_municipality",
                  provider_name="Familiehuset", steps=(2,), intervention_codes=("PARENTING_COURSE",),
                  legal_basis="§ 32", age_min_years=0, age_max_years=17, target_needs="", places=1,
                  opened_on=dt.date(2020, 1, 1))
    closed = dataclasses.replace(offer, offer_id="X2", name="Lukket tilbud", provider_name="Andet Hus",
                                 closing_on=dt.date(2024, 1, 1),
                                 closed_on=dt.date(2024, 6, 1), places=5)
    catalogue_import(user=economist, catalogue=OfferCatalogue(offers=(offer, closed)))
    from trappen.web.offers.models import Offer as Row

    return Row.objects.get(offer_id="X1"), Row.objects.get(offer_id="X2")
