"""The permission table: deny by default, the intended shape per role, and file validation."""

import itertools

import pytest

from trappen.errors import ConfigurationError
from trappen.privacy.roles import (
    ACTIONS,
    PERMISSIONS,
    PERSONAL_RESOURCES,
    PURPOSES,
    RESOURCES,
    ROLES,
    Scope,
    allowed,
    default_permissions,
    load_permissions,
    permission,
)

ALL = list(itertools.product(ROLES, RESOURCES, ACTIONS))


def test_deny_by_default():
    assert permission("caseworker", "child", "delete") is None
    assert permission("caseworker", "childs", "view") is None
    assert permission("superuser", "config", "change") is None
    assert permission("", "", "") is None
    assert not allowed("partner", "case_notes", "view")
    # most combinations are denied: the table lists grants, not denials
    assert sum(permission(*key) is not None for key in ALL) == len(PERMISSIONS) < len(ALL) / 2


@pytest.mark.parametrize(("role", "resource", "action", "scope"), [
    ("caseworker", "child", "view", Scope.DISTRICT),
    ("caseworker", "child", "change", Scope.OWN),
    ("caseworker", "case_notes", "view", Scope.DISTRICT),
    ("caseworker", "case_notes", "create", Scope.OWN),
    ("caseworker", "intervention", "create", Scope.OWN),
    ("caseworker", "caseload", "view", Scope.OWN),
    ("caseworker", "child", "reassign", None),
    ("caseworker", "user", "change", None),
    ("teamleader", "child", "reassign", Scope.TEAM),
    ("teamleader", "caseload", "reassign", Scope.TEAM),
    ("teamleader", "notification", "reassign", Scope.TEAM),
    ("teamleader", "config", "change", None),
    ("partner", "child", "view", Scope.LINKED),
    ("partner", "notification", "create", Scope.ALL),
    ("partner", "notification", "view", Scope.OWN),
    ("partner", "child_identity", "view", None),
    ("partner", "case_notes", "view", None),
    ("partner", "kpi", "view", None),
    ("analyst", "kpi", "view", Scope.AGGREGATE),
    ("analyst", "export", "export", Scope.AGGREGATE),
    ("analyst", "child", "view", None),
    ("admin", "user", "create", Scope.ALL),
    ("admin", "config", "change", Scope.ALL),
    ("admin", "audit", "view", Scope.ALL),
    ("admin", "child", "view", None),
])
def test_role_table(role, resource, action, scope):
    assert permission(role, resource, action) == scope


def test_caseworker_writes_only_own_cases():
    writes = {(res, act): g.scope for (role, res, act), g in PERMISSIONS.items()
              if role == "caseworker" and act in ("change", "reassign")}
    assert writes and set(writes.values()) == {Scope.OWN}


def test_analyst_aggregate_only_no_case_content():
    grants = default_permissions().grants_for("analyst")
    assert grants and {g.scope for g in grants} == {Scope.AGGREGATE}
    for resource, action in itertools.product(("child", "child_identity", "case_notes"), ACTIONS):
        assert permission("analyst", resource, action) is None


def test_economist_no_case_content_and_prices_not_the_staircase():
    grants = default_permissions().grants_for("economist")
    assert {g.resource for g in grants} == {"kpi", "forecast", "investment", "prices", "budget", "offer"}
    assert {g.scope for g in grants if g.resource != "prices"} == {Scope.AGGREGATE}
    assert permission("economist", "prices", "change") is Scope.ALL
    assert permission("economist", "config", "change") is None
    for resource, action in itertools.product(PERSONAL_RESOURCES, ACTIONS):
        assert permission("economist", resource, action) is None
    assert default_permissions().role_labels["economist"] == ("Økonom", "Economist")


def test_admin_no_case_content():
    for resource, action in itertools.product(PERSONAL_RESOURCES, ACTIONS):
        assert permission("admin", resource, action) is None
    # dst_delivery: the statutory delivery to Danmarks Statistik (issue 20); its ledger holds
    # measure ids and codes only, and each download of the file (CPR numbers) is audited
    assert {g.resource for g in default_permissions().grants_for("admin")} <= {
        "user", "config", "prices", "audit", "dst_delivery", "offer"}


def test_partner_only_linked_or_own():
    for g in default_permissions().grants_for("partner"):
        if g.action != "create":
            assert g.scope in (Scope.LINKED, Scope.OWN), g
    # besides view: create (notifications, consultations, step-1 support), and change only on the
    # meetings they take part in (marking the agreed actions they own as done)
    assert {(g.action, g.resource if g.action == "change" else "") for g in default_permissions().grants_for("partner")
            if g.action != "view"} == {("create", ""), ("change", "meeting")}


def test_identity_never_wider_than_child_view():
    order = [Scope.OWN, Scope.TEAM, Scope.DISTRICT, Scope.ALL]
    for role in ROLES:
        identity = permission(role, "child_identity", "view")
        if identity is not None:
            child = permission(role, "child", "view")
            assert child is not None and order.index(identity) <= order.index(child)


def test_every_grant_has_a_reason_and_known_names():
    for (role, resource, action), grant in PERMISSIONS.items():
        assert (grant.role, grant.resource, grant.action) == (role, resource, action)
        assert role in ROLES and resource in RESOURCES and action in ACTIONS
        assert len(grant.why) >= 10
    assert set(default_permissions().role_labels) == set(ROLES)
    assert default_permissions().role_labels["caseworker"] == ("Sagsbehandler", "Caseworker")


def test_purposes():
    required = {"own_case", "colleague_cover", "team_leader_review", "complaint_handling",
                "data_protection_review"}
    assert required <= set(PURPOSES)
    assert PURPOSES["complaint_handling"].label_da == "Klagesagsbehandling"
    for code, purpose in PURPOSES.items():
        assert purpose.code == code and purpose.label_da and purpose.label_en


def _write(tmp_path, grants: str, role: str = "caseworker"):
    path = tmp_path / "perm.toml"
    path.write_text(f"[roles.{role}]\ngrants = [\n{grants}\n]\n", encoding="utf-8")
    return path


def test_custom_table(tmp_path):
    path = _write(tmp_path, '{ resource = "kpi", action = "view", scope = "aggregate", '
                            'why = "a test reason" },')
    table = load_permissions(path)
    assert permission("caseworker", "kpi", "view", table=table) == Scope.AGGREGATE
    assert permission("caseworker", "child", "view", table=table) is None


@pytest.mark.parametrize(("grants", "match"), [
    ('{ resource = "kpi", action = "view", scope = "everything", why = "a test reason" }',
     "unknown scope"),
    ('{ resource = "kpis", action = "view", scope = "all", why = "a test reason" }',
     "unknown resource"),
    ('{ resource = "kpi", action = "delete", scope = "all", why = "a test reason" }',
     "unknown action"),
    ('{ resource = "kpi", action = "view", scope = "all" }', "why"),
    ('{ resource = "kpi", action = "view", scope = "all", why = "a test reason", x = 1 }',
     "unknown key"),
    ('{ resource = "child", action = "view", scope = "aggregate", why = "a test reason" }',
     "aggregate"),
    ('{ resource = "kpi", action = "view", scope = "all", why = "a test reason" },\n'
     '{ resource = "kpi", action = "view", scope = "own", why = "a test reason" }', "duplicate"),
])
def test_bad_table_refused(tmp_path, grants, match):
    path = _write(tmp_path, grants)
    with pytest.raises(ConfigurationError, match=match) as info:
        load_permissions(path)
    assert str(path) in str(info.value)


def test_every_mistake_in_a_table_is_named_with_its_key_path(tmp_path):
    path = tmp_path / "perm.toml"
    path.write_text(
        '[roles.caseworker]\ngrants = [\n'
        '  { resource = "kpi", action = "view", scope = "all", why = "a test reason" },\n'
        '  { resource = "kpi", action = "delete", scope = "everything", why = "a test reason" },\n'
        '  { resource = "child", action = "view", scope = "aggregate", why = "short" },\n'
        ']\n[roles.root]\ngrants = []\n'
        '[purposes.colleague_cover]\nlabel_da = "Dækning"\n'
        '[partner]\nshared_child_fields = ["first_name", "cpr"]\n', encoding="utf-8")
    with pytest.raises(ConfigurationError) as info:
        load_permissions(path)
    assert {(p.field, p.value) for p in info.value.problems} == {
        ("roles.caseworker.grants[1].action", "delete"),
        ("roles.caseworker.grants[1].scope", "everything"),
        ("roles.caseworker.grants[2].why", "short"),
        ("roles.root", "root"),
        ("purposes.colleague_cover.label_en", None),
        ("partner.shared_child_fields[1]", "cpr"),
    }
    text = str(info.value)
    assert text.startswith(f"{path}: ")
    assert "roles.caseworker.grants[1].scope: unknown scope; use one of own, team" in text
    assert "roles.root: unknown role" in text and "purposes.colleague_cover.label_en: missing" in text


def test_case_content_at_aggregate_scope_is_named_on_the_scope(tmp_path):
    path = _write(tmp_path, '{ resource = "child", action = "view", scope = "aggregate", why = "a test reason" }')
    with pytest.raises(ConfigurationError) as info:
        load_permissions(path)
    (problem,) = info.value.problems
    assert (problem.field, problem.value) == ("roles.caseworker.grants[0].scope", "aggregate")
    assert problem.message == "child is case content and cannot be granted at aggregate scope"


def test_bad_files_refused(tmp_path):
    with pytest.raises(ConfigurationError, match="unknown role"):
        load_permissions(_write(tmp_path, "", role="root"))
    broken = tmp_path / "broken.toml"
    broken.write_text("[roles\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="not valid TOML"):
        load_permissions(broken)
    with pytest.raises(ConfigurationError, match="absent.toml: file not found"):
        load_permissions(tmp_path / "absent.toml")
    with pytest.raises(ConfigurationError, match="cannot read"):
        load_permissions(tmp_path)  # a folder, not a file
