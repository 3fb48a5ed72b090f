"""The catalogue in the database: import all or nothing, edit with history, the offer a new
intervention picks (full, closed, wrong step), the waiting list, free-text providers."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from trappen.errors import InvalidInput
from trappen.offers import read_offers, write_offers
from trappen.synthetic import synthetic_offers

REASON = {1: "the family needs more than advice at the school"}


def test_import_writes_every_offer_and_a_second_import_changes_nothing(imported, catalogue_file, economist):
    from trappen.web.offers.models import Offer, OfferPrice
    from trappen.web.offers.selectors import catalogue
    from trappen.web.offers.services import catalogue_import_file

    expected = synthetic_offers(seed=3)
    assert imported.created == len(expected) and imported.updated == 0
    assert Offer.objects.count() == len(expected)
    assert OfferPrice.objects.count() == sum(len(o.prices) for o in expected.offers)
    assert catalogue() == expected  # the database gives the file's catalogue back
    again = catalogue_import_file(user=economist, path=catalogue_file)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(expected))


def test_import_of_a_changed_offer_keeps_the_earlier_version(imported, economist, tmp_path):
    import dataclasses

    from trappen.offers import OfferCatalogue
    from trappen.web.offers.models import Offer, OfferRevision
    from trappen.web.offers.services import catalogue_import_file

    cat = synthetic_offers(seed=3)
    first = cat.offers[0]
    changed = OfferCatalogue(offers=(dataclasses.replace(first, places=first.places + 7), *cat.offers[1:]))
    path = tmp_path / "changed.csv"
    write_offers(changed, path)
    result = catalogue_import_file(user=economist, path=path)
    assert result.updated == 1
    row = Offer.objects.get(offer_id=first.offer_id)
    assert row.places == first.places + 7 and row.version == 1
    revision = OfferRevision.objects.get(offer=row)
    assert revision.data["places"] == first.places and revision.how == "import" and revision.changed_by == economist


def test_a_bad_file_is_refused_with_row_and_column_and_writes_nothing(db, economist, tmp_path):
    from trappen.web.offers.models import Offer
    from trappen.web.offers.services import catalogue_import_file

    path = tmp_path / "bad.csv"
    write_offers(synthetic_offers(seed=3), path)
    lines = path.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    cells = lines[2].split(",")
    cells[header.index("places")] = "-4"
    lines[2] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InvalidInput) as caught:
        catalogue_import_file(user=economist, path=path)
    problem = next(p for p in caught.value.problems if p.field == "places")
    assert (problem.table, problem.row, problem.value) == ("offers", 2, -4)
    assert Offer.objects.count() == 0


def test_closing_an_offer_before_its_episodes_start_is_refused(scene, small_offer, economist, tmp_path):
    import dataclasses

    from trappen.offers import OfferCatalogue
    from trappen.web.offers.selectors import catalogue
    from trappen.web.offers.services import catalogue_import_file
    from trappen.web.register.services import intervention_start

    row, _closed = small_offer
    intervention_start(actor=scene["user"], child=scene["mine"], intervention_code="PARENTING_COURSE", step=2,
                       start_date=dt.date(2025, 3, 1), justification=REASON, offer=row.pk)
    cat = catalogue()
    closing = OfferCatalogue(offers=tuple(dataclasses.replace(o, closing_on=dt.date(2025, 1, 1),
                                                              closed_on=dt.date(2025, 2, 1))
                                          if o.offer_id == "X1" else o for o in cat.offers))
    path = tmp_path / "closing.xlsx"
    write_offers(closing, path)
    read_offers(path)  # the file itself is valid: the refusal comes from the episodes
    with pytest.raises(InvalidInput) as caught:
        catalogue_import_file(user=economist, path=path)
    problem = caught.value.problems[0]
    assert (problem.table, problem.row, problem.field) == ("offers", 1, "closed_on")
    assert "closed offer cannot have new episodes" in problem.message
    row.refresh_from_db()
    assert row.closed_on is None


def test_only_economists_and_admins_import_or_edit(db, make_user, catalogue_file, small_offer):
    from trappen.web.offers.services import catalogue_import_file, offer_edit

    caseworker = make_user("c1", "caseworker", [])
    with pytest.raises(PermissionDenied):
        catalogue_import_file(user=caseworker, path=catalogue_file)
    with pytest.raises(PermissionDenied):
        offer_edit(user=caseworker, row=small_offer[0], changes={"places": 9}, version=None)


def test_edit_keeps_history_and_refuses_a_bad_value(small_offer, economist):
    from trappen.errors import EditConflict
    from trappen.web.offers.services import offer_edit

    row, _ = small_offer
    offer_edit(user=economist, row=row, changes={"places": 3}, version=0)
    row.refresh_from_db()
    assert row.places == 3 and row.revisions.get().data["places"] == 1
    with pytest.raises(InvalidInput) as caught:
        offer_edit(user=economist, row=row, changes={"places": -1}, version=1)
    assert caught.value.problems[0].field == "places"
    with pytest.raises(EditConflict):
        offer_edit(user=economist, row=row, changes={"places": 4}, version=0)


def test_a_full_offer_is_picked_only_as_a_recorded_overbooking(scene, small_offer, make_child):
    from trappen.web.register.models import Assignment
    from trappen.web.register.services import intervention_start

    row, _ = small_offer
    start = dict(actor=scene["user"], intervention_code="PARENTING_COURSE", step=2, start_date=dt.date(2025, 3, 1),
                 justification=REASON, offer=row.pk)
    first = intervention_start(child=scene["mine"], **start)
    assert first.offer_id == row.pk and not first.overbooking
    second_child = make_child("N", name="Barn To")
    Assignment.objects.create(child=second_child, caseworker=scene["post"], start_date=dt.date(2024, 1, 1))
    with pytest.raises(InvalidInput) as caught:
        intervention_start(child=second_child, **start)
    assert caught.value.problems[0].field == "overbooking"
    assert "full" in caught.value.problems[0].message
    booked = intervention_start(child=second_child, overbooking=True, **start)
    assert booked.overbooking and booked.offer_id == row.pk


def test_occupancy_never_exceeds_places_unless_overbooked(scene, small_offer, make_child):
    from trappen.web.offers.selectors import occupancy_on
    from trappen.web.register.models import Assignment, Episode
    from trappen.web.register.services import intervention_start

    row, _ = small_offer
    for k in range(4):
        child = make_child("N", name=f"Barn {k}")
        Assignment.objects.create(child=child, caseworker=scene["post"], start_date=dt.date(2024, 1, 1))
        with contextlib.suppress(InvalidInput):
            intervention_start(actor=scene["user"], child=child, intervention_code="PARENTING_COURSE", step=2,
                               start_date=dt.date(2025, 3, 1) + dt.timedelta(days=k), justification=REASON,
                               offer=row.pk, overbooking=(k == 3))
    for day in (dt.date(2025, 3, 1) + dt.timedelta(days=k) for k in range(6)):
        plain = Episode.objects.filter(offer=row, overbooking=False, start_date__lte=day).count()
        assert plain <= row.places
        overbooked = Episode.objects.filter(offer=row, overbooking=True).count()
        assert occupancy_on(day).get(row.pk, 0) <= row.places + overbooked


def test_a_closed_offer_gets_no_new_episode(scene, small_offer):
    from trappen.web.register.models import Episode
    from trappen.web.register.services import intervention_start

    _, closed = small_offer
    with pytest.raises(InvalidInput) as caught:
        intervention_start(actor=scene["user"], child=scene["mine"], intervention_code="PARENTING_COURSE", step=2,
                           start_date=dt.date(2025, 3, 1), justification=REASON, offer=closed.pk, overbooking=True)
    assert caught.value.problems[0].field == "offer"
    assert "closed" in caught.value.problems[0].message and "no new episodes" in caught.value.problems[0].message
    assert not Episode.objects.exists()


def test_an_offer_on_another_step_is_refused(scene, small_offer):
    from trappen.web.register.services import intervention_start

    row, _ = small_offer
    with pytest.raises(InvalidInput) as caught:
        intervention_start(actor=scene["user"], child=scene["mine"], intervention_code="FAMILY_TREATMENT", step=3,
                           start_date=dt.date(2025, 3, 1), justification={1: REASON[1], 2: REASON[1]}, offer=row.pk)
    assert any("not step 3" in p.message for p in caught.value.problems)


def test_waiting_ends_when_the_child_gets_a_place(scene, small_offer):
    from trappen.web.offers.selectors import waiting_open
    from trappen.web.offers.services import waiting_add
    from trappen.web.register.services import intervention_start

    row, _ = small_offer
    entry = waiting_add(user=scene["user"], child=scene["mine"], step=2, intervention_code="PARENTING_COURSE",
                        decided_on=dt.date(2025, 1, 10), offer=row)
    assert list(waiting_open(dt.date(2025, 2, 1))) == [entry]
    episode = intervention_start(actor=scene["user"], child=scene["mine"], intervention_code="PARENTING_COURSE",
                                 step=2, start_date=dt.date(2025, 3, 1), justification=REASON, offer=row.pk)
    entry.refresh_from_db()
    assert entry.placed_on == dt.date(2025, 3, 1) and entry.episode_id == episode.pk
    assert episode.decided_on == dt.date(2025, 1, 10)
    assert (episode.start_date - episode.decided_on).days == 50  # the waiting days
    assert not waiting_open(dt.date(2025, 3, 2)).exists()


def test_free_text_providers_are_matched_and_the_rest_reported(scene, small_offer):
    from trappen.web.offers.services import providers_migrate
    from trappen.web.register.models import Episode

    row, _ = small_offer
    child = scene["mine"]
    made = [Episode.objects.create(child=child, intervention_code="PARENTING_COURSE", step=2,
                                   start_date=dt.date(2023, 1, 1), end_date=dt.date(2023, 2, 1), provider=p)
            for p in ("familiebehandling  TEST", "Familiehuset", "Ukendt Leverandør ApS", "Ukendt Leverandør ApS")]
    dry = providers_migrate(dry_run=True)
    assert dry.matched == 2 and not Episode.objects.exclude(offer=None).exists()
    result = providers_migrate()
    assert result.matched == 2
    assert result.unmatched == {"Ukendt Leverandør ApS": 2}
    for episode in made:
        episode.refresh_from_db()
    assert [e.offer_id for e in made] == [row.pk, row.pk, None, None]
    assert [e.provider for e in made][2] == "Ukendt Leverandør ApS"  # nothing lost
