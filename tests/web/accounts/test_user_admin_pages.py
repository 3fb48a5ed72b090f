"""User administration (/users/): the administrator creates, changes, deactivates and
reactivates accounts and sets passwords; every write is audited with ids and field names (never a
password); bad input is named on the form and writes nothing; every other role is refused."""

from __future__ import annotations

import pytest
from django.test import Client

from trappen.web.accounts.models import User
from trappen.web.audit.models import AuditEvent
from trappen.web.register.models import Caseworker

from .conftest import GOOD_PASSWORD, ROLES


def _new(client, **fields):
    data = {"username": "ny_sagsbehandler", "password": GOOD_PASSWORD, "role": "caseworker",
            "districts": ["N"], "team": "T1", "post": "", "post_fte": "", "linked_children": ""} | fields
    return client.post("/users/new/", data)


def _change(client, user, **fields):
    data = {"role": user.role, "districts": list(user.districts.values_list("code", flat=True)),
            "team": user.team.code if user.team else "", "post": "", "post_fte": "",
            "linked_children": ""} | fields
    return client.post(f"/users/{user.pk}/", data)


def _login(username, password=GOOD_PASSWORD):
    """A client signed in through the login form (as a person would), or None when refused."""
    client = Client()
    answer = client.post("/login/", {"username": username, "password": password})
    return client if answer.status_code == 302 and "_auth_user_id" in client.session else None


def _events(endpoint):
    return list(AuditEvent.objects.filter(endpoint=endpoint).order_by("id"))


def _snapshot():
    """Everything the pages may write: accounts, their links, posts and the audit trail."""
    users = sorted(User.objects.values_list("username", "role", "is_active", "team_id", "password"))
    links = sorted(User.districts.through.objects.values_list("user_id", "district_id"))
    children = sorted(User.linked_children.through.objects.values_list("user_id", "child_id"))
    posts = sorted(Caseworker.objects.values_list("pk", "user_id", "fte"))
    return users, links, children, posts, AuditEvent.objects.count()


# --- the administrator's journey ---------------------------------------------------------

def test_the_list_shows_accounts_with_role_labels_and_filters(admin_client, admin_scene):
    page = admin_client.get("/users/")
    assert page.status_code == 200
    html = page.content.decode()
    for role in ROLES:
        assert f'data-username="u_{role}"' in html
    assert "Sagsbehandler" in html and "Samarbejdspartner" in html  # labels, Danish by default
    only = admin_client.get("/users/", {"role": "partner"}).content.decode()
    assert 'data-username="u_partner"' in only and 'data-username="u_caseworker"' not in only
    User.objects.filter(username="u_analyst").update(is_active=False)
    gone = admin_client.get("/users/", {"active": "no"}).content.decode()
    assert 'data-username="u_analyst"' in gone and 'data-username="u_admin"' not in gone
    # a filter value that is no choice is ignored, never a 500
    assert admin_client.get("/users/", {"role": "root", "page": "x"}).status_code == 200


def test_the_list_pages_by_fifty(admin_client, make_user):
    for i in range(55):
        make_user(f"z_{i:02d}", "analyst")
    first = admin_client.get("/users/").content.decode()
    assert first.count("data-username=") == 50
    second = admin_client.get("/users/", {"page": "2"}).content.decode()
    assert second.count("data-username=") == 61 - 50


def test_the_admin_creates_a_caseworker_with_a_post(admin_client, admin_scene):
    post = admin_scene["free"]
    response = _new(admin_client, post=str(post.pk), post_fte="0.6")
    assert response.status_code == 302
    user = User.objects.get(username="ny_sagsbehandler")
    assert user.role == "caseworker" and user.is_active and not user.is_superuser
    assert user.check_password(GOOD_PASSWORD)
    assert list(user.districts.values_list("code", flat=True)) == ["N"]
    assert user.team == admin_scene["team"]
    post.refresh_from_db()
    assert post.user == user and post.fte == 0.6
    [event] = _events("user_create")
    assert event.username == "u_admin" and event.child_id is None and event.action == "write"
    assert event.purpose.startswith(f"user {user.pk}: username, password, role, team, districts")
    assert f"caseworker_post none->{post.pk}" in event.purpose and f"post_fte (post {post.pk})" in event.purpose
    assert GOOD_PASSWORD not in event.purpose
    assert 'data-username="ny_sagsbehandler"' in admin_client.get("/users/").content.decode()
    # the new account logs in with its password
    assert _login("ny_sagsbehandler")


def test_the_admin_creates_a_partner_linked_to_children_by_id(admin_client, admin_scene):
    one, two = admin_scene["children"]
    assert _new(admin_client, username="skole", role="partner", districts=[], team="",
                linked_children=f"{one.pk}, {two.pk}").status_code == 302
    partner = User.objects.get(username="skole")
    assert set(partner.linked_children.values_list("pk", flat=True)) == {one.pk, two.pk}
    links = _events("user_partner_link")
    assert sorted(e.child_id for e in links) == sorted([one.pk, two.pk])
    assert all(e.purpose == f"user {partner.pk} linked" for e in links)
    # the change page shows the ids, never the children's names
    html = admin_client.get(f"/users/{partner.pk}/").content.decode()
    assert str(one.pk) in html and "Barn Et" not in html and "Barn To" not in html


def test_the_admin_changes_role_districts_team_post_and_links(admin_client, admin_scene):
    user = admin_scene["users"]["teamleader"]
    post = admin_scene["free"]
    assert admin_client.get(f"/users/{user.pk}/").status_code == 200
    response = _change(admin_client, user, districts=["N", "S"], team="T1", post=str(post.pk), post_fte="0.5")
    assert response.status_code == 302
    user.refresh_from_db()
    post.refresh_from_db()
    assert sorted(user.districts.values_list("code", flat=True)) == ["N", "S"]
    assert user.team == admin_scene["team"] and post.user == user and post.fte == 0.5
    [event] = _events("user_change")
    assert event.purpose.startswith(f"user {user.pk}: team, districts, caseworker_post none->{post.pk}")
    # unlinking the post and becoming a partner linked to a child
    child = admin_scene["children"][0]
    assert _change(admin_client, user, role="partner", districts=[], team="", post="",
                   linked_children=str(child.pk)).status_code == 302
    user.refresh_from_db()
    post.refresh_from_db()
    assert user.role == "partner" and post.user is None and list(user.linked_children.all()) == [child]
    last = _events("user_change")[-1]
    assert "role" in last.purpose and f"caseworker_post {post.pk}->none" in last.purpose
    assert [e.child_id for e in _events("user_partner_link")] == [child.pk]
    # and back: the link is removed, and audited on the child
    assert _change(admin_client, user, role="partner", linked_children="").status_code == 302
    assert [e.child_id for e in _events("user_partner_unlink")] == [child.pk]


def test_a_role_change_to_admin_gives_the_staff_flags_and_back(admin_client, admin_scene):
    user = admin_scene["users"]["analyst"]
    assert _change(admin_client, user, role="admin").status_code == 302
    user.refresh_from_db()
    assert user.is_staff and user.is_superuser
    assert _change(admin_client, user, role="economist").status_code == 302
    user.refresh_from_db()
    assert user.role == "economist" and not user.is_staff and not user.is_superuser


def test_deactivate_and_reactivate_audited_and_a_deactivated_user_cannot_log_in(admin_client, admin_scene):
    from trappen.web.accounts.services import user_password_set

    target = admin_scene["users"]["caseworker"]
    user_password_set(actor=admin_scene["users"]["admin"], user_id=target.pk, password=GOOD_PASSWORD)
    logged_in = _login("u_caseworker")
    assert logged_in is not None
    assert admin_client.post(f"/users/{target.pk}/deactivate/").status_code == 302
    target.refresh_from_db()
    assert not target.is_active
    assert User.objects.filter(pk=target.pk).exists()  # never deleted
    assert _login("u_caseworker") is None
    # the session opened before is no longer signed in
    assert "/login/" in logged_in.get("/overview/").headers.get("Location", "")
    [event] = _events("user_deactivate")
    assert event.purpose == f"user {target.pk}: is_active"
    assert admin_client.post(f"/users/{target.pk}/reactivate/").status_code == 302
    target.refresh_from_db()
    assert target.is_active and _login("u_caseworker") is not None
    assert _events("user_reactivate")[0].purpose == f"user {target.pk}: is_active"


def test_a_new_password_is_validated_set_and_audited_without_the_password(admin_client, admin_scene):
    target = admin_scene["users"]["economist"]
    weak = admin_client.post(f"/users/{target.pk}/password/", {"password": "123", "password_again": "123"})
    assert weak.status_code == 422
    assert weak.context["form"].errors["password"]  # the validators' reasons, on the field
    differ = admin_client.post(f"/users/{target.pk}/password/",
                               {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD + "x"})
    assert differ.status_code == 422 and differ.context["form"].errors["password_again"]
    assert not _events("user_password_set")
    ok = admin_client.post(f"/users/{target.pk}/password/",
                           {"password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD})
    assert ok.status_code == 302
    target.refresh_from_db()
    assert target.check_password(GOOD_PASSWORD)
    [event] = _events("user_password_set")
    assert event.purpose == f"user {target.pk}: password" and GOOD_PASSWORD not in event.purpose


def test_the_admin_cannot_lock_themselves_out(admin_client, admin_scene):
    admin = admin_scene["users"]["admin"]
    refused = _change(admin_client, admin, role="analyst")
    assert refused.status_code == 422 and "analyst" in str(refused.context["form"].errors["role"])
    assert admin_client.post(f"/users/{admin.pk}/deactivate/").status_code == 302
    admin.refresh_from_db()
    assert admin.role == "admin" and admin.is_active
    assert not _events("user_deactivate") and not _events("user_change")


# --- bad input: named on the form, nothing written ----------------------------------------

@pytest.mark.parametrize(("fields", "field", "named"), [
    ({"username": "u_partner"}, "username", "u_partner"),           # taken
    ({"username": "bad name!"}, "username", "bad name!"),          # not a username
    ({"password": "password"}, "password", ""),                     # too common (Django's validators)
    ({"password": "ny_sagsbehandler1"}, "password", ""),            # too like the username
    ({"role": "root"}, "role", "root"),
    ({"districts": ["N", "X9"]}, "districts", "X9"),
    ({"team": "T99"}, "team", "T99"),
    ({"post": "999999"}, "post", "999999"),
    ({"post": "abc"}, "post", "abc"),
    ({"post_fte": "1.5", "post": "FREE"}, "post_fte", "1.5"),
    ({"post_fte": "many"}, "post_fte", ""),
    ({"post": "HELD"}, "post", "u_caseworker"),                     # held by an active account
    ({"role": "analyst", "post": "FREE"}, "post", "FREE"),          # analysts hold no post
    ({"role": "partner", "linked_children": "999999 12x"}, "linked_children", "12x"),
    ({"role": "partner", "linked_children": "999999"}, "linked_children", "999999"),
    ({"linked_children": "CHILD"}, "linked_children", "CHILD"),     # a caseworker is linked to no child
])
def test_bad_input_on_create_is_named_and_writes_nothing(admin_client, admin_scene, fields, field, named):
    ids = {"FREE": str(admin_scene["free"].pk), "HELD": str(admin_scene["held"].pk),
           "CHILD": str(admin_scene["children"][0].pk)}
    fields = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in fields.items()}
    named = ids.get(named, named)
    before = _snapshot()
    response = _new(admin_client, **fields)
    assert response.status_code == 422
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert errors, response.context["form"].errors
    assert named in errors
    assert GOOD_PASSWORD not in response.content.decode()
    assert _snapshot() == before


def test_every_problem_at_once_and_nothing_partial_on_change(admin_client, admin_scene):
    user = admin_scene["users"]["teamleader"]
    before = _snapshot()
    response = _change(admin_client, user, districts=["N"], team="T1", post=str(admin_scene["held"].pk),
                       linked_children=str(admin_scene["children"][0].pk))
    assert response.status_code == 422
    errors = response.context["form"].errors
    assert "u_caseworker" in str(errors["post"]) and "linked_children" in errors
    assert _snapshot() == before  # districts and team, though valid, were not written


def test_bad_ids_in_urls_are_404_never_500(admin_client, admin_scene):
    for url in ("/users/999999/", "/users/999999/password/"):
        assert admin_client.get(url).status_code == 404
    for url in ("/users/999999/", "/users/999999/password/", "/users/999999/deactivate/",
                "/users/999999/reactivate/"):
        assert admin_client.post(url, {}).status_code == 404
    assert admin_client.get("/users/abc/").status_code == 404


def test_a_post_held_by_a_deactivated_account_can_be_taken_over(admin_client, admin_scene):
    held = admin_scene["held"]
    old = admin_scene["users"]["caseworker"]
    old.is_active = False
    old.save()
    assert _new(admin_client, post=str(held.pk)).status_code == 302
    held.refresh_from_db()
    assert held.user.username == "ny_sagsbehandler"
    assert f"from user {old.pk}" in _events("user_create")[0].purpose


# --- every other role is refused -----------------------------------------------------------

@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_every_other_role_is_refused_on_every_url_and_method(client, admin_scene, role):
    client.force_login(admin_scene["users"][role])
    target = admin_scene["users"]["economist"]
    before = _snapshot()
    urls = ["/users/", "/users/new/", f"/users/{target.pk}/", f"/users/{target.pk}/password/",
            f"/users/{target.pk}/deactivate/", f"/users/{target.pk}/reactivate/"]
    for url in urls:
        assert client.get(url).status_code in (403, 404), (role, url)
        data = {"username": "x_evil", "password": GOOD_PASSWORD, "password_again": GOOD_PASSWORD,
                "role": "admin"}
        assert client.post(url, data).status_code in (403, 404), (role, url)
    assert _snapshot() == before


def test_anonymous_visitors_are_sent_to_the_login(client, admin_scene):
    for url in ("/users/", "/users/new/"):
        assert "/login/" in client.get(url).headers["Location"]


def test_the_services_check_the_grant_themselves(admin_scene):
    from django.core.exceptions import PermissionDenied

    from trappen.web.accounts.services import user_account_create, user_active_set

    with pytest.raises(PermissionDenied):
        user_account_create(actor=admin_scene["users"]["teamleader"], username="x", password=GOOD_PASSWORD,
                            role="admin", district_codes=[])
    with pytest.raises(PermissionDenied):
        user_active_set(actor=admin_scene["users"]["partner"], user_id=admin_scene["users"]["admin"].pk,
                        active=False)


def test_english_switch_shows_english_labels(admin_client, admin_scene):
    admin_client.cookies["django_language"] = "en"
    html = admin_client.get("/users/").content.decode()
    assert "User administration" in html and "Caseworker" in html and "Partner" in html
