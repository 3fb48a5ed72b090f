"""Writes to prices, budget and accounts imports and investment cases, and logins, failed
logins and logouts leave audit rows (#14 item 2): ids and codes only, never a password, a
typed username that names no account, a case's name or its text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from trappen.web.audit.models import AuditEvent
from trappen.web.audit.services import audit_verify

PASSWORD = "correct horse battery staple"


def _last(endpoint: str) -> AuditEvent:
    return AuditEvent.objects.filter(endpoint=endpoint).latest("id")


def test_a_new_price_is_audited(make_user):
    from trappen.web.economics.services import price_add

    economist = make_user("eva", "economist", [])
    price = price_add(user=economist, intervention_code="HV_EXTRA_VISITS", valid_from=dt.date(2026, 1, 1),
                      cost_dkk_per_day=100.0, price_year=2026)
    event = _last("price_add")
    assert (event.user_id, event.action, event.child_id) == (economist.pk, "write", None)
    assert event.purpose == f"price {price.pk} HV_EXTRA_VISITS"


def test_budget_and_accounts_imports_are_audited(make_user, tmp_path):
    from trappen.web.economics.services import accounts_import, budget_import

    economist = make_user("eva", "economist", [])
    budget = tmp_path / "budget.csv"
    budget.write_text("step,year,budget_dkk\n1,2025,100\n2,2025,200\n1,2026,300\n", encoding="utf-8")
    budget_import(user=economist, path=budget)
    assert _last("budget_import").purpose == "3 lines, years 2025,2026"
    accounts = tmp_path / "accounts.csv"
    accounts.write_text("account,function,amount_dkk,year\n1001,5.28.20,1000,2023\n", encoding="utf-8")
    accounts_import(user=economist, path=accounts)
    event = _last("accounts_import")
    assert (event.user_id, event.action, event.purpose) == (economist.pk, "write", "1 lines, years 2023")


def test_investment_case_writes_are_audited_by_id_never_name(make_user):
    from tests.web.investments.test_investments import GOLDEN_TOML

    from trappen.web.investments.services import case_copy, case_save, case_set_adopted

    analyst = make_user("ana", "analyst", [])
    case = case_save(user=analyst, toml_text=GOLDEN_TOML)
    case_save(user=analyst, toml_text=GOLDEN_TOML, case=case)
    copy = case_copy(user=analyst, case=case)
    case_set_adopted(user=analyst, case=case, adopted=True)
    events = list(AuditEvent.objects.filter(endpoint__startswith="investment_case").order_by("id"))
    assert [(e.endpoint, e.purpose) for e in events] == [
        ("investment_case_create", f"investment case {case.pk}"),
        ("investment_case_change", f"investment case {case.pk}"),
        ("investment_case_copy", f"investment case {copy.pk}"),
        ("investment_case_adopt", f"investment case {case.pk}"),
    ]
    assert all(case.name not in repr(e.__dict__) for e in events)


@pytest.fixture
def kim(make_user):
    user = make_user("kim", "caseworker", [])
    user.set_password(PASSWORD)
    user.save()
    return user


def test_login_failed_login_and_logout_are_audited_without_the_password(kim):
    client = Client()
    client.post("/login/", {"username": "kim", "password": "wrong-password-xyz"})
    client.post("/login/", {"username": "0101901234 Jens Hansen", "password": "wrong-password-xyz"})
    assert client.post("/login/", {"username": "kim", "password": PASSWORD}).status_code == 302
    client.post("/logout/")
    events = list(AuditEvent.objects.filter(action="auth").order_by("id"))
    assert [e.endpoint for e in events] == ["login_failed", "login_failed", "login", "logout"]
    assert (events[0].user_id, events[0].username) == (kim.pk, "kim")  # an existing account
    assert events[1].user_id is None and events[1].username.startswith("unknown:")
    assert (events[2].user_id, events[3].user_id) == (kim.pk, kim.pk)
    stored = repr(list(AuditEvent.objects.values()))
    assert "wrong-password" not in stored and PASSWORD not in stored
    assert "0101901234" not in stored and "Jens" not in stored  # what was typed is not readable
    assert audit_verify() == []


def test_the_same_unknown_name_hashes_alike_and_another_differently(db):
    client = Client()
    for name in ("nobody", "nobody", "somebody"):
        client.post("/login/", {"username": name, "password": "x"})
    names = list(AuditEvent.objects.filter(endpoint="login_failed").values_list("username", flat=True))
    assert names[0] == names[1] != names[2]
