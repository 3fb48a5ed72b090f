"""Two people editing one investment case (#14 item 4): the second save, made on a page opened
before the first save, is refused with a conflict message that keeps the second person's input;
saving again after review is a deliberate overwrite. nan and infinities are refused too."""

from __future__ import annotations

import tomllib

import pytest
from django.test import Client

from trappen.errors import EditConflict, InvalidInput
from trappen.web.investments.models import InvestmentCase
from trappen.web.investments.services import case_save

GOLDEN_FORM = {  # as in test_case_form.py
    "mode": "form", "name": "golden", "start_year": "2024", "price_year": "2024", "horizon_years": "4",
    "discount_rate_per_year": "0", "extra_fte": "0.5", "dkk_per_fte_per_year": "100000",
    "participants": "10", "success_rate_with": "0.5", "success_rate_without": "0.3", "phase_in": "0, 0.5",
    "change_6": "-1", "price_6": "60000", "earn_back_after_years": "1", "surplus_after_years": "3",
}


@pytest.fixture
def two_economists(make_user):
    first, second = Client(), Client()
    first.force_login(make_user("econ1", "economist"))
    second.force_login(make_user("econ2", "economist"))
    assert first.post("/investments/new/", GOLDEN_FORM).status_code == 302
    return first, second, InvestmentCase.objects.get()


def _fte(case: InvestmentCase) -> float:
    case.refresh_from_db()
    return tomllib.loads(case.toml_text)["costs"][0]["fte"]


def test_a_stale_form_save_is_refused_and_keeps_the_users_input(two_economists):
    first, second, case = two_economists
    url = f"/investments/{case.pk}/edit/"
    opened = {c: c.get(url).context["version"] for c in (first, second)}
    assert first.post(url, GOLDEN_FORM | {"extra_fte": "1", "version": opened[first]}).status_code == 302
    response = second.post(url, GOLDEN_FORM | {"extra_fte": "2", "version": opened[second]})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'id="case-conflict"' in html and 'value="2"' in html  # the second person's input is kept
    assert "En anden har gemt sagen" in html  # Danish by default
    assert _fte(case) == 1.0  # the first save stands
    # saving again after review goes against the current version: a deliberate overwrite
    again = second.post(url, GOLDEN_FORM | {"extra_fte": "2", "version": response.context["version"]})
    assert again.status_code == 302 and _fte(case) == 2.0


def test_a_stale_text_save_is_refused_and_keeps_the_text(two_economists):
    first, second, case = two_economists
    url = f"/investments/{case.pk}/edit/"
    version = second.get(url).context["version"]
    assert first.post(url, GOLDEN_FORM | {"extra_fte": "1", "version": version}).status_code == 302
    mine = case.toml_text.replace("fte = 0.5", "fte = 3")
    response = second.post(url, {"mode": "toml", "toml_text": mine, "version": version})
    assert response.status_code == 409 and response.context["text"] == mine
    assert 'id="case-conflict"' in response.content.decode()
    assert _fte(case) == 1.0


def test_the_service_refuses_a_stale_version_and_writes_nothing(two_economists):
    _first, _second, case = two_economists
    user = case.created_by
    stale = case.version
    case_save(user=user, toml_text=case.toml_text.replace("fte = 0.5", "fte = 1"), case=case, version=stale)
    with pytest.raises(EditConflict) as exc:
        case_save(user=user, toml_text=case.toml_text.replace("fte = 1", "fte = 4"), case=case, version=stale)
    assert exc.value.current_version == stale + 1
    assert _fte(case) == 1.0
    # an object read before the other save (no version given) cannot overwrite it either
    old = InvestmentCase.objects.get(pk=case.pk)
    case_save(user=user, toml_text=old.toml_text.replace("fte = 1", "fte = 5"), case=case)
    with pytest.raises(EditConflict):
        case_save(user=user, toml_text=old.toml_text.replace("fte = 1", "fte = 6"), case=old)
    assert _fte(case) == 5.0


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_nan_and_infinity_in_the_case_text_are_refused(two_economists, value):
    _first, _second, case = two_economists
    with pytest.raises(InvalidInput) as exc:
        case_save(user=case.created_by, toml_text=case.toml_text.replace("fte = 0.5", f"fte = {value}"), case=case)
    assert any("fte" in p.field for p in exc.value.problems)
