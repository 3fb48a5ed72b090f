"""In a real Chromium: an economist enters a new price and imports a budget; the budget chart
(Chart.js, data via json_script) renders with no CSP violation or script error, in Danish."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_economist_enters_a_price_and_sees_budget_against_actual(live_server, open_browser, make_user,
                                                                  loaded, tmp_path):
    from trappen.web.economics.models import BudgetLine, Price

    make_user("okonom", "economist")
    page, errors = open_browser(locale="da-DK")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "okonom")
    page.fill("#id_password", "not-checked-in-tests")
    page.click("form.card button[type=submit]")
    page.wait_for_url(f"{live_server.url}/overview/")
    page.click("header nav a[href='/economics/']")
    page.click("#economics-index a[href='/economics/prices/']")

    page.select_option("#id_intervention_code", "FAMILY_COUNSELLING")
    page.fill("#id_valid_from", "2025-07-01")
    page.fill("#id_cost_dkk_per_day", "-1")
    page.fill("#id_price_year", "2025")
    page.click("#price-form button[type=submit]")
    assert "-1" in page.locator("#error-cost_dkk_per_day").inner_text()
    assert Price.objects.count() == 0
    page.fill("#id_cost_dkk_per_day", "321")
    page.click("#price-form button[type=submit]")
    assert "Familierådgivning" in page.locator("#messages").inner_text()  # the name, never the code
    current = page.locator("#price-table tr.in-force[data-code='FAMILY_COUNSELLING']")
    assert "321" in current.inner_text() and "2025-07-01" in current.inner_text()
    assert page.locator("#price-table tr.history[data-code='FAMILY_COUNSELLING']").count() == 1

    budget = tmp_path / "budget.csv"
    budget.write_text("step,year,budget_dkk\n" + "".join(f"{s},2025,{s * 1_000_000}\n" for s in range(1, 7)),
                      encoding="utf-8")
    page.goto(f"{live_server.url}/economics/budget/")
    page.set_input_files("#id_file", str(budget))
    page.click("#upload-form button[type=submit]")
    page.wait_for_selector("#budget-chart")
    assert BudgetLine.objects.filter(year=2025).count() == 6
    page.select_option("#through", "6")
    page.click("#budget-filter button[type=submit]")
    page.wait_for_function("() => window.Chart && Chart.getChart(document.getElementById('budget-chart'))")
    datasets = page.evaluate("() => Chart.getChart(document.getElementById('budget-chart')).data.datasets"
                             ".map(d => [d.label, d.data.filter(v => v !== null).length])")
    assert [n for _, n in datasets] == [12, 6, 2]
    assert datasets[0][0].startswith("Budget")  # Danish: "Budget (akkumuleret)"
    assert page.locator("#budget-by-step tbody tr").count() == 6
    # the only error response is the refused price (422); no script error, no CSP violation
    assert errors == [f"422 {live_server.url}/economics/prices/"], errors
