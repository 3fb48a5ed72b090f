"""Two-factor login done properly: the manual key beside the QR code, single-use recovery codes
(shown once, regenerated on request, spent at the prompt), audited; one language per page; the
requirement stated only to the roles that have it."""

from __future__ import annotations

import re
from base64 import b32decode
from html.parser import HTMLParser

import pytest
from django.test import Client, override_settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from trappen.web.audit.models import AuditEvent


def _current_token(device: TOTPDevice) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def _client(user, language: str = "da") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


class _MainText(HTMLParser):
    """The text nodes inside <main>, and the values of its buttons and labels."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.texts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "main":
            self.depth += 1
        elif self.depth and tag == "img":
            self.texts += [value or "" for name, value in attrs if name == "alt"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "main":
            self.depth -= 1

    def handle_data(self, data: str) -> None:
        if self.depth and data.strip():
            self.texts.append(" ".join(data.split()))


def _main_text(response) -> list[str]:
    parser = _MainText()
    parser.feed(response.content.decode())
    return parser.texts


def _codes(response) -> list[str]:
    return re.findall(r"<li><code>([A-Z2-7]{4}-[A-Z2-7]{4})</code></li>", response.content.decode())


def _enrolled(user) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def _verified_client(user, device: TOTPDevice, language: str = "da") -> Client:
    client = _client(user, language)
    assert client.post("/security/otp/verify/", {"token": _current_token(device)})["Location"] == "/overview/"
    return client


def test_the_setup_page_shows_the_manual_key_in_groups_of_four(scene):
    user = scene["users"]["analyst"]
    body = _client(user).get("/security/otp/setup/").content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    shown = re.search(r'<code class="otp-key">([A-Z2-7 ]+)</code>', body)
    assert shown, "no manual key on the setup page"
    groups = shown.group(1).split(" ")
    assert all(len(group) == 4 for group in groups[:-1]) and 1 <= len(groups[-1]) <= 4
    key = "".join(groups)
    assert b32decode(key + "=" * (-len(key) % 8)) == device.bin_key  # the app gets the same secret
    assert 'src="data:image/svg+xml' in body  # beside the QR code


@override_settings(TRAPPEN_REQUIRE_OTP=True)
def test_enrolment_shows_recovery_codes_once_and_is_audited(scene):
    user = scene["users"]["teamleader"]
    client = _client(user)
    client.get("/security/otp/setup/")
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    done = client.post("/security/otp/setup/", {"token": _current_token(device)})
    assert done.status_code == 302 and done["Location"] == "/security/otp/recovery/"
    first = client.get("/security/otp/recovery/")
    assert len(_codes(first)) == 10
    assert "no-store" in first.headers.get("Cache-Control", "")
    again = client.get("/security/otp/recovery/")
    assert _codes(again) == [] and "Du har 10 ubrugte gendannelseskoder." in again.content.decode()
    purposes = list(AuditEvent.objects.filter(username=user.username).values_list("purpose", flat=True))
    assert "second factor enrolled" in purposes and "recovery codes generated" in purposes


@override_settings(TRAPPEN_REQUIRE_OTP=True)
def test_a_recovery_code_logs_in_once_and_not_twice(scene):
    from trappen.web.security.services import recovery_codes_regenerate

    user = scene["users"]["analyst"]
    _enrolled(user)
    code = recovery_codes_regenerate(user=user)[3]
    first = _client(user)
    assert first.get("/overview/")["Location"] == "/security/otp/verify/"
    typed = code.lower().replace("-", " ")  # typed as read off paper: any case, a space for the dash
    assert first.post("/security/otp/verify/", {"token": typed})["Location"] == "/overview/"
    assert first.get("/overview/").status_code == 200
    assert AuditEvent.objects.filter(username=user.username, purpose="recovery code used").count() == 1
    second = _client(user)
    refused = second.post("/security/otp/verify/", {"token": code})
    assert refused.status_code == 200 and "Koden er forkert eller udløbet." in refused.content.decode()
    assert second.get("/overview/")["Location"] == "/security/otp/verify/"
    assert AuditEvent.objects.filter(username=user.username, purpose="recovery code used").count() == 1


@override_settings(TRAPPEN_REQUIRE_OTP=True)
def test_regenerating_invalidates_the_old_codes_and_is_audited(scene):
    from trappen.web.security.services import recovery_codes_regenerate

    user = scene["users"]["admin"]
    device = _enrolled(user)
    old = recovery_codes_regenerate(user=user)
    client = _verified_client(user, device)
    audited = AuditEvent.objects.filter(username=user.username, purpose="recovery codes generated")
    before = audited.count()
    assert client.post("/security/otp/recovery/")["Location"] == "/security/otp/recovery/"
    new = _codes(client.get("/security/otp/recovery/"))
    assert len(new) == 10 and not set(new) & set(old)
    assert audited.count() == before + 1
    for code in old[:2]:
        fresh = _client(user)
        assert fresh.post("/security/otp/verify/", {"token": code}).status_code == 200  # refused
        from django_otp.plugins.otp_static.models import StaticDevice

        StaticDevice.objects.get(user=user).throttle_reset()  # skip django-otp's wait after a failure
    assert _client(user).post("/security/otp/verify/", {"token": new[0]})["Location"] == "/overview/"


REQUIRED = {"da": "Din rolle kræver en engangskode", "en": "Your role requires a one-time code"}
OPTIONAL = {"da": "Totrinslogin er frivilligt for din rolle", "en": "Two-factor login is optional for your role"}


@override_settings(TRAPPEN_REQUIRE_OTP=False)
@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("role", ["caseworker", "partner"])
def test_without_the_requirement_no_one_is_told_it_is_required(scene, role, language):
    body = _client(scene["users"][role], language).get("/security/otp/setup/").content.decode()
    assert REQUIRED["da"] not in body and REQUIRED["en"] not in body
    assert OPTIONAL[language] in body


@override_settings(TRAPPEN_REQUIRE_OTP=True)
@pytest.mark.parametrize("language", ["da", "en"])
@pytest.mark.parametrize("role", ["caseworker", "teamleader", "partner", "analyst", "economist", "admin"])
def test_a_role_with_the_requirement_is_told_so(scene, role, language):
    body = _client(scene["users"][role], language).get("/security/otp/setup/").content.decode()
    assert REQUIRED[language] in body and OPTIONAL["da"] not in body and OPTIONAL["en"] not in body


def _pages(user, language: str) -> list[list[str]]:
    """The main text of every two-factor page a user meets, with each kind of error shown."""
    client = _client(user, language)
    pages = [_main_text(client.get("/security/otp/setup/"))]
    for token in ("", "12", "000000x", "0000000000"):
        pages.append(_main_text(client.post("/security/otp/setup/", {"token": token})))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = "000000" if _current_token(device) != "000000" else "111111"
    pages.append(_main_text(client.post("/security/otp/setup/", {"token": wrong})))
    device.throttle_reset()
    client.post("/security/otp/setup/", {"token": _current_token(device)})
    pages.append(_main_text(client.get("/security/otp/recovery/")))  # with the new codes
    pages.append(_main_text(client.get("/security/otp/recovery/")))  # the count
    other = _client(user, language)
    pages.append(_main_text(other.get("/security/otp/verify/")))
    for token in ("", "12", "abcd-efgh", "000000"):
        pages.append(_main_text(other.post("/security/otp/verify/", {"token": token})))
    return pages


def _shared(text: str) -> bool:
    """Text that is the same in both languages: codes, keys, digits and punctuation."""
    return bool(re.fullmatch(r"[A-Z2-7 \-]+|[\d\W]*", text))


def test_every_two_factor_page_is_in_one_language(scene, make_user):
    """Each text on a Danish page differs from its English twin, and the reverse: no English
    error on a Danish page (the old error was "… / Koden er forkert." in English)."""
    english = _pages(make_user("tf_en", "analyst", []), "en")
    danish = _pages(make_user("tf_da", "analyst", []), "da")
    assert len(english) == len(danish)
    for en_page, da_page in zip(english, danish, strict=True):
        en_texts = {text for text in en_page if not _shared(text)}
        da_texts = {text for text in da_page if not _shared(text)}
        assert not en_texts & da_texts, f"the same text in both languages: {en_texts & da_texts}"
        for text in en_page:
            assert "Kode" not in text and "kode" not in text, f"Danish on an English page: {text!r}"
        for text in da_page:
            for word in ("code", "Code", "Ensure", "field", "required", "wrong", "recovery"):
                assert word not in text, f"English on a Danish page: {text!r}"
