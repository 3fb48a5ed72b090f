"""CPR encryption at rest, lookup hashes, key loading and rotation."""

import base64
import hashlib
import hmac

import pytest

from trappen.errors import ConfigurationError, InvalidInput
from trappen.privacy.cpr import (
    CprCipher,
    CprDecryptionError,
    generate_key,
    key_id,
    load_key,
    load_keys,
)

KEY_A = bytes(range(32))
KEY_B = bytes(range(32, 64))
CPR = "010190-1234"


def _hkdf_sha256(key: bytes, *, info: bytes, length: int) -> bytes:
    """RFC 5869 by hand (salt absent = 32 zero bytes; one block suffices for <= 32 bytes)."""
    prk = hmac.new(b"\x00" * 32, key, hashlib.sha256).digest()
    return hmac.new(prk, info + b"\x01", hashlib.sha256).digest()[:length]


def test_key_id_and_lookup_hash_known_answers():
    # Stored lookup hashes must never change between releases: pinned, and derived by hand.
    lookup_key = _hkdf_sha256(KEY_A, info=b"trappen/cpr/lookup-hmac/v1", length=32)
    by_hand = hmac.new(lookup_key, b"0101901234", hashlib.sha256).hexdigest()
    assert CprCipher(KEY_A).lookup_hash(CPR) == by_hand == (
        "ac76f118205e2afb6b489922880a0f4029c38c3a4cb9a0739ec0252b94167b13")
    assert key_id(KEY_A) == _hkdf_sha256(KEY_A, info=b"trappen/cpr/key-id/v1", length=8).hex()
    assert CprCipher(KEY_A).key_id == "05c92f0e93f56043"


def test_roundtrip_both_formats():
    cipher = CprCipher(KEY_A)
    assert cipher.decrypt(cipher.encrypt(CPR)) == "0101901234"
    assert cipher.decrypt(cipher.encrypt(" 0101901234 ")) == "0101901234"


def test_token_layout_and_fresh_nonce():
    cipher = CprCipher(KEY_A)
    first, second = cipher.encrypt(CPR), cipher.encrypt(CPR)
    # 1 version + 8 key id + 12 nonce + 10 ciphertext + 16 tag
    assert len(first) == 47
    assert first[:1] == b"\x01" and first[1:9].hex() == cipher.key_id
    assert first[9:21] != second[9:21] and first != second
    assert b"0101901234" not in first


def test_encrypt_validates():
    with pytest.raises(InvalidInput):
        CprCipher(KEY_A).encrypt("310490-1234")


@pytest.mark.parametrize("position", [0, 1, 8, 9, 20, 21, 30, 46])
def test_any_changed_byte_is_detected(position):
    cipher = CprCipher(KEY_A)
    token = bytearray(cipher.encrypt(CPR))
    token[position] ^= 0x01
    with pytest.raises(CprDecryptionError) as info:
        cipher.decrypt(bytes(token))
    assert "0101901234" not in str(info.value)


def test_truncated_and_non_bytes_refused():
    cipher = CprCipher(KEY_A)
    token = cipher.encrypt(CPR)
    for bad in (b"", token[:21], token[:-1]):
        with pytest.raises(CprDecryptionError):
            cipher.decrypt(bad)
    with pytest.raises(CprDecryptionError):
        cipher.decrypt("not bytes")  # type: ignore[arg-type]


def test_unknown_key_names_the_key_id_not_the_key():
    token = CprCipher(KEY_A).encrypt(CPR)
    with pytest.raises(CprDecryptionError) as info:
        CprCipher(KEY_B).decrypt(token)
    message = str(info.value)
    assert key_id(KEY_A) in message and key_id(KEY_B) in message
    assert KEY_A.hex() not in message and base64.urlsafe_b64encode(KEY_A).decode() not in message


def test_rotation_with_previous_key():
    old = CprCipher(KEY_A)
    token = old.encrypt(CPR)
    new = CprCipher.from_keys(KEY_B, previous=[KEY_A])
    assert new.decrypt(token) == "0101901234"
    assert new.needs_rotation(token)
    rotated = new.rotate(token)
    assert not new.needs_rotation(rotated)
    assert new.token_key_id(rotated) == key_id(KEY_B)
    assert CprCipher(KEY_B).decrypt(rotated) == "0101901234"  # old key no longer needed
    with pytest.raises(CprDecryptionError):
        old.decrypt(rotated)


def test_rotate_record_recomputes_lookup_hash():
    token = CprCipher(KEY_A).encrypt(CPR)
    new = CprCipher.from_keys(KEY_B, previous=[KEY_A])
    rotated, lookup = new.rotate_record(token)
    assert new.decrypt(rotated) == "0101901234"
    assert lookup == CprCipher(KEY_B).lookup_hash(CPR) != CprCipher(KEY_A).lookup_hash(CPR)
    # while a rotation is pending, search with every key's hash
    assert new.lookup_hashes(CPR) == [lookup, CprCipher(KEY_A).lookup_hash(CPR)]


def test_lookup_hash_stable_and_format_independent():
    one, two = CprCipher(KEY_A), CprCipher(KEY_A)
    assert one.lookup_hash("010190-1234") == two.lookup_hash("0101901234")
    assert one.lookup_hash(CPR) != one.lookup_hash("010190-1235")
    assert len(one.lookup_hash(CPR)) == 64
    # previous keys do not change the hash under the same current key
    assert CprCipher.from_keys(KEY_A, previous=[KEY_B]).lookup_hash(CPR) == one.lookup_hash(CPR)


def test_lookup_hash_validates():
    with pytest.raises(InvalidInput):
        CprCipher(KEY_A).lookup_hash("not a cpr")


@pytest.mark.parametrize("bad", [b"", b"x" * 31, b"x" * 33, "a" * 32])
def test_key_must_be_32_bytes(bad):
    with pytest.raises(ConfigurationError):
        CprCipher(bad)
    with pytest.raises(ConfigurationError):
        CprCipher.from_keys(KEY_A, previous=[bad])


def test_repr_hides_keys():
    text = repr(CprCipher(KEY_A, previous=[KEY_B]))
    assert KEY_A.hex() not in text and str(KEY_A) not in text and "keys=2" in text


# ----------------------------------------------------------------------------- key loading


def test_generate_key_is_32_random_bytes():
    text = generate_key()
    assert len(text) == 44 and text != generate_key()
    assert len(base64.urlsafe_b64decode(text)) == 32


def test_load_key_from_env_with_or_without_padding():
    text = base64.urlsafe_b64encode(KEY_A).decode()
    assert load_key(env_value=text, key_file=None) == KEY_A
    assert load_key(env_value=text.rstrip("="), key_file=None) == KEY_A
    assert load_key(env_value=f"  {text}\n", key_file="") == KEY_A


def test_load_key_from_file(tmp_path):
    path = tmp_path / "cpr.key"
    path.write_text(base64.urlsafe_b64encode(KEY_B).decode() + "\n", encoding="ascii")
    assert load_key(env_value=None, key_file=str(path)) == KEY_B
    assert load_key(env_value="", key_file=path) == KEY_B


def test_load_key_missing_names_the_variable():
    with pytest.raises(ConfigurationError, match="TRAPPEN_CPR_KEY"):
        load_key(env_value=None, key_file=None)
    with pytest.raises(ConfigurationError, match="MY_KEY"):
        load_key(env_value="  ", key_file=None, env_name="MY_KEY")


def test_load_key_both_refused():
    text = generate_key()
    with pytest.raises(ConfigurationError, match="not both"):
        load_key(env_value=text, key_file="/some/file")


@pytest.mark.parametrize("bad", ["not*base64!", base64.urlsafe_b64encode(b"x" * 16).decode(),
                                 base64.urlsafe_b64encode(b"y" * 48).decode()])
def test_load_key_bad_value_never_echoed(bad):
    with pytest.raises(ConfigurationError) as info:
        load_key(env_value=bad, key_file=None)
    assert "TRAPPEN_CPR_KEY" in str(info.value)
    assert bad not in str(info.value)


def test_load_key_unreadable_file(tmp_path):
    with pytest.raises(ConfigurationError, match="TRAPPEN_CPR_KEY_FILE"):
        load_key(env_value=None, key_file=str(tmp_path / "absent.key"))


def test_load_keys_list():
    a, b = (base64.urlsafe_b64encode(k).decode() for k in (KEY_A, KEY_B))
    assert load_keys(None) == [] and load_keys(" ") == []
    assert load_keys(f"{a}, {b},") == [KEY_A, KEY_B]
    with pytest.raises(ConfigurationError, match="item 2"):
        load_keys(f"{a},short")


def test_memoryview_tokens_accepted():
    # PostgreSQL's bytea comes back from Django as a memoryview
    cipher = CprCipher.from_keys(KEY_B, previous=[KEY_A])
    token = CprCipher(KEY_A).encrypt(CPR)
    view = memoryview(token)
    assert cipher.decrypt(view) == "0101901234"
    assert cipher.needs_rotation(view) and cipher.token_key_id(view) == key_id(KEY_A)
    assert cipher.decrypt(cipher.rotate(view)) == "0101901234"
