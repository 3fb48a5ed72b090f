"""The investment case form: it writes the same TOML the core reads (same figures as the text
editor), starts from the saved case's values, and puts each core problem on the field it names."""

from __future__ import annotations

import tomllib

import pytest

from trappen.economics import case_from_dict, evaluate_case

GOLDEN_FORM = {  # the golden case of test_investments.py, as form fields (central values)
    "mode": "form", "name": "golden", "start_year": "2024", "price_year": "2024", "horizon_years": "4",
    "discount_rate_per_year": "0", "extra_fte": "0.5", "dkk_per_fte_per_year": "100000",
    "participants": "10", "success_rate_with": "0.5", "success_rate_without": "0.3", "phase_in": "0, 0.5",
    "change_6": "-1", "price_6": "60000", "earn_back_after_years": "1", "surplus_after_years": "3",
}


@pytest.fixture
def economist(client, make_user):
    client.force_login(make_user("econ", "economist"))
    return client


def test_the_form_saves_the_golden_case(economist):
    from trappen.web.investments.models import InvestmentCase

    response = economist.post("/investments/new/", GOLDEN_FORM)
    assert response.status_code == 302
    case = InvestmentCase.objects.get()
    data = tomllib.loads(case.toml_text)
    assert data["costs"][0]["fte"] == 0.5 and data["effect"]["use_change_per_success"] == {"6": -1.0}
    result = evaluate_case(case_from_dict(data))
    # golden (municipality only): cost 50,000 a year; savings 0, 60,000, 120,000, 120,000
    assert result.npv_dkk == pytest.approx(300_000 - 200_000)
    assert result.rule_met is True
    page = economist.get(f"/investments/{case.pk}/")
    assert page.status_code == 200 and "golden" in page.content.decode()


def test_the_edit_page_fills_the_form_from_the_saved_case(economist):
    from trappen.web.investments.models import InvestmentCase

    economist.post("/investments/new/", GOLDEN_FORM)
    case = InvestmentCase.objects.get()
    page = economist.get(f"/investments/{case.pk}/edit/")
    form = page.context["form"]
    assert form.initial["extra_fte"] == 0.5 and form.initial["price_6"] == 60000
    assert form.initial["phase_in"] == "0, 0.5" and form.initial["change_6"] == -1.0
    html = page.content.decode()
    assert 'id="case-form"' in html and 'id="toml_text"' in html
    # changing one field through the form changes the stored case
    assert economist.post(f"/investments/{case.pk}/edit/", GOLDEN_FORM | {"extra_fte": "1"}).status_code == 302
    case.refresh_from_db()
    assert tomllib.loads(case.toml_text)["costs"][0]["fte"] == 1.0


@pytest.mark.parametrize(("fields", "field", "named"), [
    ({"horizon_years": "0"}, "horizon_years", "0"),
    ({"extra_fte": "-2"}, "extra_fte", "-2"),
    ({"success_rate_with": "1.5"}, "success_rate_with", "1.5"),
    ({"dkk_per_fte_per_year": ""}, "dkk_per_fte_per_year", "0"),
    ({"price_6": ""}, "price_6", "no price"),
    ({"phase_in": "half"}, "phase_in", "half"),
    ({"price_6": "-10"}, "price_6", "-10"),
    ({"discount_rate_per_year": "2"}, "discount_rate_per_year", "2"),
    ({"earn_back_after_years": "9"}, "earn_back_after_years", "9"),
])
def test_a_bad_input_is_named_on_its_field_and_nothing_is_saved(economist, fields, field, named):
    from trappen.web.investments.models import InvestmentCase

    response = economist.post("/investments/new/", GOLDEN_FORM | fields)
    assert response.status_code == 422
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert named in errors, response.context["form"].errors
    assert 'id="case-form-problems"' in response.content.decode()
    assert InvestmentCase.objects.count() == 0


def test_the_text_editor_still_works_beside_the_form(economist):
    from trappen.web.investments.models import InvestmentCase

    assert economist.post("/investments/new/", GOLDEN_FORM).status_code == 302
    text = InvestmentCase.objects.get().toml_text
    response = economist.post("/investments/new/", {"mode": "toml", "toml_text": text.replace("0.5", "0.25", 1)})
    assert response.status_code == 302 and InvestmentCase.objects.count() == 2
