"""The demo's investment cases (trappen.web.investments.demo): on the smallest demo the tests
build, the team leader's /investments/ lists them and each case page opens (200) in Danish and in
English with labels, never codes; loading again changes nothing; every figure names a source."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from tests.web.test_labels_on_pages import _danish_raw_codes, _raw_codes, visible_text

from trappen.synthetic import generate

# the case's own keys, which the pages must show as words; and its one-word codes, English words
# too, so raw only on the Danish page (not the effect kind "som": a Danish word, "as")
CASE_KEYS = {"dkk_per_fte_per_year", "use_change_per_success", "success_rate_with", "success_rate_without",
             "phase_in", "fading_per_year", "price_year", "None"}
CASE_WORDS = {"municipality", "region", "shift", "triangular", "uniform"}


@pytest.fixture
def demo(db):
    """The register and the demo logins as ``trappen demo`` sets them up (300 children, 2 years, as
    tests/web/casework/test_demo_team.py), then the demo's investment cases."""
    from trappen.web.accounts.services import demo_users_create
    from trappen.web.investments.demo import demo_investments_load
    from trappen.web.register.services import register_bulk_load

    register = generate(children=300, years=2, seed=1, end_date=timezone.localdate(), pilot_districts=3,
                        pilot_from=2021)
    register_bulk_load(register, seed=1)
    demo_users_create()
    return demo_investments_load()


def test_the_demo_has_investment_cases_the_team_leader_can_open(demo):
    from trappen.web.accounts.models import User
    from trappen.web.investments.models import InvestmentCase

    assert demo == {"created": 2, "updated": 0, "unchanged": 0}
    cases = list(InvestmentCase.objects.order_by("name"))
    assert [c.name for c in cases] == ["Familierådslagning før anbringelse",
                                       "Flere sagsbehandlere: 25 børn pr. rådgiver"]
    assert {c.created_by.username for c in cases} == {"economist"}
    raw = _raw_codes() | CASE_KEYS
    for username in ("teamleader", "economist"):
        for language in ("da", "en"):
            client = Client(HTTP_ACCEPT_LANGUAGE=language)
            client.force_login(User.objects.get(username=username))
            listing = client.get(reverse("investment_list"))
            assert listing.status_code == 200
            assert all(c.name in listing.content.decode() for c in cases)
            for case in cases:
                page = client.get(reverse("investment_detail", args=[case.pk]))
                assert page.status_code == 200, (username, language, case.name)
                text = visible_text(page.content.decode())
                assert "Demo (syntetisk)" in text and "unit_costs.csv" in text  # the sources, on the page
                found = sorted((raw | (_danish_raw_codes() | CASE_WORDS if language == "da" else set()))
                               & set(re.findall(r"[A-Za-z0-9_]+", text)))
                assert found == [], (username, language, case.name, found)


def test_loading_the_demo_cases_again_changes_nothing_and_a_changed_file_updates_in_place(demo):
    from trappen.web.investments.demo import demo_investments_load
    from trappen.web.investments.models import InvestmentCase

    before = dict(InvestmentCase.objects.values_list("pk", "version"))
    assert demo_investments_load() == {"created": 0, "updated": 0, "unchanged": 2}
    assert dict(InvestmentCase.objects.values_list("pk", "version")) == before
    case = InvestmentCase.objects.order_by("pk").first()
    InvestmentCase.objects.filter(pk=case.pk).update(toml_text=case.toml_text.replace("horizon_years", "#"))
    assert demo_investments_load() == {"created": 0, "updated": 1, "unchanged": 1}
    case.refresh_from_db()
    assert "horizon_years" in case.toml_text and case.version == before[case.pk] + 1


def test_every_figure_of_the_demo_cases_names_its_source():
    """Each cost, price and effect says where its figures come from (the reference or ASSUMPTION)."""
    from trappen._config import parse_toml
    from trappen.web.investments.demo import demo_case_texts

    texts = demo_case_texts()
    assert len(texts) == 2
    for text in texts:
        data = parse_toml(text, field="(toml)")
        items = [*data["costs"], *data["prices"], data["effect"]]
        assert all(item.get("source") for item in items), data["case"]["name"]
        assert all("unit_costs.csv" in p["source"] for p in data["prices"])
        assert "Kilder:" in data["case"]["description"]


def test_the_tornados_inputs_are_named_in_words_in_danish():
    from django.utils import translation

    from trappen.web.investments.selectors import input_label

    with translation.override("da"):
        assert input_label("prices.5.municipality") == "Trin 5: pris pr. barneår (kr., kommunen)"
        assert input_label("prices.6.region") == "Trin 6: pris pr. barneår (kr., regionen)"
        assert input_label("costs.Ekstra sagsbehandlere.fte") == "Ekstra sagsbehandlere: Årsværk pr. år"
        assert input_label("costs.Kursus.dkk_per_fte_per_year") == "Kursus: Udgift pr. årsværk pr. år (kr.)"
        assert input_label("effect.use_change_per_success.4") == "Trin 4: ændring i barneår pr. succes"
        assert input_label("effect.success_rate_with") == "Succesrate med investeringen"
        assert input_label("effect.scale") == "Skalering af forskydningen"
    assert input_label("effect.unknown_key") == "effect.unknown_key"  # no words for it: the key itself
