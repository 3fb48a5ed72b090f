"""CPR numbers: parse, validate, mask, and encrypt at rest.

A CPR number (det centrale personregister's personnummer) is ``DDMMYY-SSSS``: the date of birth
and four serial digits whose first gives the century and whose last gives the legal sex. It is
the most sensitive value Trappen holds: it never appears in URLs, logs, fixtures or error
messages. Error messages here say *what* is wrong, never the digits entered.

Storage: :class:`CprCipher` encrypts with AES-256-GCM under a key id, so old ciphertexts can be
recognised and re-encrypted after a key rotation, and gives a keyed HMAC-SHA256 "lookup hash"
for exact-match search without decrypting.

Exceptions (both from :mod:`trappen.errors`, plus one here)::

    TrappenError
     ├── ConfigurationError      a key is missing, not base64, or not 32 bytes
     ├── InvalidInput            a CPR number is malformed or not a real date (value masked)
     └── CprDecryptionError      a token was tampered with, or no known key opens it
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import polars as pl
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from trappen.errors import ConfigurationError, InvalidInput, Problem, TrappenError

__all__ = [
    "KEY_BYTES", "CprCipher", "CprDecryptionError", "birth_date", "generate_key", "key_id",
    "load_key", "load_keys", "mask", "parse_cpr", "parse_cpr_column", "sex",
]

_FUTURE = "the date of birth in a CPR number cannot be in the future"

MASKED = "<masked>"
"""What an error carries instead of the CPR number entered."""

KEY_BYTES = 32
"""AES-256: 32-byte keys (NIST SP 800-38D permits 128/192/256; we use the largest)."""

_CPR_RE = re.compile(r"([0-9]{6})-?([0-9]{4})")  # ASCII only: \d also matches e.g. Arabic-Indic digits

# Token layout: version (1 byte) | key id (8 bytes) | nonce (12 bytes) | ciphertext + GCM tag.
_VERSION = b"\x01"
_KEY_ID_BYTES = 8
_NONCE_BYTES = 12  # 96-bit nonce: the GCM default recommended by NIST SP 800-38D § 8.2
_HEADER_BYTES = len(_VERSION) + _KEY_ID_BYTES + _NONCE_BYTES

# HKDF "info" labels: one master key gives independent sub-keys for each use (RFC 5869 § 3.2).
_INFO_ENCRYPT = b"trappen/cpr/aes-gcm/v1"
_INFO_LOOKUP = b"trappen/cpr/lookup-hmac/v1"
_INFO_KEY_ID = b"trappen/cpr/key-id/v1"


class CprDecryptionError(TrappenError):
    """Raised when a CPR token cannot be opened: tampered, truncated, or made with an unknown key.

    The message names the key id found in the token (not secret) and never any key or digits.
    """


def _invalid(message: str) -> InvalidInput:
    return InvalidInput(Problem(field="cpr", value=MASKED, message=message))


def _century(*, seventh_digit: int, yy: int) -> int:
    """The century of birth from the 7th digit and the 2-digit year.

    Source: CPR-kontoret, "Personnummeret i CPR-systemet" (the 7th-digit table), in force since
    1968 and unchanged when the modulus-11 check was dropped in 2007.
    """
    if seventh_digit <= 3:
        return 1900
    if seventh_digit in (4, 9):
        return 2000 if yy <= 36 else 1900
    # 5, 6, 7, 8
    return 2000 if yy <= 57 else 1800


def parse_cpr(text: str, *, not_after: date | None = None) -> str:
    """Validate a CPR number and return its 10 digits.

    Accepts ``DDMMYY-SSSS`` or ``DDMMYYSSSS``; surrounding whitespace is ignored. The first six
    digits must be a real date of birth in the century given by the 7th digit. There is no
    modulus-11 check: the CPR office stopped guaranteeing it in 2007.

    Args:
        text: the number as entered.
        not_after: when given (e.g. today's date), refuse a date of birth after it. The core
            never reads the clock, so the caller passes it.

    Returns:
        The ten digits without the hyphen, e.g. ``"0101901234"``.

    Raises:
        InvalidInput: on field ``cpr``; the value is masked and the message never contains the
            digits entered.
    """
    if not isinstance(text, str):
        raise _invalid("a CPR number must be text of the form DDMMYY-SSSS")
    match = _CPR_RE.fullmatch(text.strip())
    if match is None:
        raise _invalid("a CPR number must be 10 digits, written DDMMYY-SSSS or DDMMYYSSSS")
    digits = match.group(1) + match.group(2)
    day, month, yy = int(digits[0:2]), int(digits[2:4]), int(digits[4:6])
    year = _century(seventh_digit=int(digits[6]), yy=yy) + yy
    if not 1 <= month <= 12:
        raise _invalid("the month (3rd-4th digit) of a CPR number must be 01-12")
    try:
        born = date(year, month, day)
    except ValueError:
        raise _invalid("the first six digits of a CPR number must be a real date of birth "
                       "(DDMMYY; the 7th digit gives the century)") from None
    if not_after is not None and born > not_after:
        raise _invalid(_FUTURE)
    return digits


def birth_date(cpr: str) -> date:
    """The date of birth encoded in a CPR number (either format).

    Raises:
        InvalidInput: the number is not valid (see :func:`parse_cpr`).
    """
    digits = parse_cpr(cpr)
    yy = int(digits[4:6])
    year = _century(seventh_digit=int(digits[6]), yy=yy) + yy
    return date(year, int(digits[2:4]), int(digits[0:2]))


def sex(cpr: str) -> str:
    """Legal sex from the last digit: ``"F"`` when even, ``"M"`` when odd (CPR-kontoret).

    Raises:
        InvalidInput: the number is not valid.
    """
    return "F" if int(parse_cpr(cpr)[9]) % 2 == 0 else "M"


def mask(cpr: str) -> str:
    """Hide the serial digits: ``"DDMMYY-XXXX"``, for display where a date of birth suffices.

    Raises:
        InvalidInput: the number is not valid.
    """
    return f"{parse_cpr(cpr)[:6]}-XXXX"


# --------------------------------------------------------------------------------------- keys


def generate_key() -> str:
    """A new random 32-byte key as URL-safe base64 text (44 characters, for an env var or file)."""
    return base64.urlsafe_b64encode(secrets.token_bytes(KEY_BYTES)).decode("ascii")


def _decode_key(text: str, *, source: str) -> bytes:
    cleaned = "".join(text.split())
    padded = cleaned + "=" * (-len(cleaned) % 4)
    try:
        key = base64.b64decode(padded, altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise ConfigurationError(
            f"{source} is not URL-safe base64; create a key with `trappen generate-key`") from None
    if len(key) != KEY_BYTES:
        raise ConfigurationError(
            f"{source} must decode to {KEY_BYTES} bytes, got {len(key)}; "
            "create a key with `trappen generate-key`")
    return key


def load_key(*, env_value: str | None, key_file: str | Path | None,
             env_name: str = "TRAPPEN_CPR_KEY", file_env_name: str = "TRAPPEN_CPR_KEY_FILE") -> bytes:
    """Decode the CPR master key from an environment value or a key file (exactly one).

    The core never reads the environment: the settings module passes the values in. Messages
    name the variable, never the key.

    Args:
        env_value: the base64 key itself (``TRAPPEN_CPR_KEY``); empty counts as unset.
        key_file: path to a file holding the base64 key (``TRAPPEN_CPR_KEY_FILE``), e.g. a
            container secret; surrounding whitespace is ignored.
        env_name: the variable name to use in messages for ``env_value``.
        file_env_name: the variable name to use in messages for ``key_file``.

    Returns:
        The 32 raw key bytes.

    Raises:
        ConfigurationError: neither or both are set, the file cannot be read, or the value is
            not base64 of exactly 32 bytes.
    """
    has_env = bool(env_value and env_value.strip())
    has_file = bool(key_file and str(key_file).strip())
    if has_env and has_file:
        raise ConfigurationError(f"set either {env_name} or {file_env_name}, not both")
    if not has_env and not has_file:
        raise ConfigurationError(
            f"no CPR encryption key: set {env_name} (or {file_env_name} to a file holding it); "
            "create one with `trappen generate-key`")
    if has_env:
        return _decode_key(env_value or "", source=env_name)
    path = Path(str(key_file))
    try:
        text = path.read_text(encoding="ascii")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigurationError(
            f"{file_env_name}: cannot read key file {str(path)!r} ({type(exc).__name__})") from None
    return _decode_key(text, source=f"{file_env_name} ({path})")


def load_keys(value: str | None, *, env_name: str = "TRAPPEN_CPR_PREVIOUS_KEYS") -> list[bytes]:
    """Decode a comma-separated list of previous keys (empty or ``None`` gives ``[]``).

    Raises:
        ConfigurationError: an item is not base64 of 32 bytes (names its 1-based position).
    """
    if not value or not value.strip():
        return []
    items = [item for item in value.split(",") if item.strip()]
    return [_decode_key(item, source=f"{env_name} item {i}") for i, item in enumerate(items, 1)]


def _hkdf(key: bytes, *, info: bytes, length: int = 32) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=length, salt=None, info=info).derive(key)


def key_id(key: bytes) -> str:
    """The public identifier of a key: 16 hex characters derived one-way from the key."""
    return _hkdf(_check_key(key), info=_INFO_KEY_ID, length=_KEY_ID_BYTES).hex()


def _check_key(key: bytes) -> bytes:
    if not isinstance(key, bytes | bytearray) or len(key) != KEY_BYTES:
        raise ConfigurationError(f"a CPR key must be {KEY_BYTES} raw bytes "
                                 "(decode the base64 text with load_key)")
    return bytes(key)


# ------------------------------------------------------------------------------------- cipher


class CprCipher:
    """Encrypts CPR numbers for storage and gives a keyed hash for exact-match search.

    One 32-byte master key yields three independent sub-keys through HKDF-SHA256: the AES-GCM
    key, the lookup-HMAC key and the public key id. ``previous`` keys only decrypt.

    Lookup hashes follow the *current* key: after a rotation every stored lookup hash must be
    recomputed (``rotate_record`` returns both), because a leaked lookup key lets anyone test
    every possible CPR number (about 4·10^8) offline — a non-rotating lookup key would defeat
    the rotation. Until the rotation has run, search with :meth:`lookup_hashes` (all keys).
    """

    def __init__(self, key: bytes, *, previous: Sequence[bytes] = ()):
        """Build from the current key (32 raw bytes) and optional previous keys."""
        self._current = _check_key(key)
        self._current_id = key_id(self._current)
        self._keys: dict[bytes, AESGCM] = {}
        self._lookup_keys: list[bytes] = []
        for k in (self._current, *previous):
            k = _check_key(k)
            kid = bytes.fromhex(key_id(k))
            if kid in self._keys:
                continue
            self._keys[kid] = AESGCM(_hkdf(k, info=_INFO_ENCRYPT))
            self._lookup_keys.append(_hkdf(k, info=_INFO_LOOKUP))

    @classmethod
    def from_keys(cls, current: bytes, *, previous: Sequence[bytes] = ()) -> CprCipher:
        """Build for a rotation: encrypt with ``current``, decrypt with it or any ``previous``."""
        return cls(current, previous=previous)

    @property
    def key_id(self) -> str:
        """The current key's public id (16 hex characters)."""
        return self._current_id

    def __repr__(self) -> str:  # never show keys
        return f"CprCipher(key_id={self._current_id!r}, keys={len(self._keys)})"

    def encrypt(self, cpr: str) -> bytes:
        """Validate and encrypt a CPR number (either format) under the current key.

        Returns:
            ``version | key id | 96-bit random nonce | ciphertext+tag`` (47 bytes); the header
            is authenticated as associated data, so changing any byte is detected.

        Raises:
            InvalidInput: the number is not valid.
        """
        digits = parse_cpr(cpr)
        header = _VERSION + bytes.fromhex(self._current_id)
        nonce = secrets.token_bytes(_NONCE_BYTES)
        aead = self._keys[header[1:]]
        return header + nonce + aead.encrypt(nonce, digits.encode("ascii"), header)

    def token_key_id(self, token: bytes) -> str:
        """The key id a token was made with (hex), without decrypting.

        Raises:
            CprDecryptionError: the token is too short or of an unknown version.
        """
        if not isinstance(token, bytes | bytearray | memoryview):
            raise CprDecryptionError("a CPR token must be bytes")
        token = bytes(token)
        if len(token) <= _HEADER_BYTES or token[:1] != _VERSION:
            raise CprDecryptionError("not a CPR token of a known version (truncated or corrupted)")
        return token[1:1 + _KEY_ID_BYTES].hex()

    def needs_rotation(self, token: bytes) -> bool:
        """Whether a token was made with a key other than the current one."""
        return self.token_key_id(token) != self._current_id

    def decrypt(self, token: bytes) -> str:
        """Open a token made with the current or any previous key; returns the 10 digits.

        Raises:
            CprDecryptionError: the token was tampered with or truncated, or its key is not
                among the keys given (the message names the token's key id).
        """
        kid_hex = self.token_key_id(token)
        token = bytes(token)
        aead = self._keys.get(bytes.fromhex(kid_hex))
        if aead is None:
            raise CprDecryptionError(
                f"the CPR token was made with key id {kid_hex}, which is neither the current key "
                f"({self._current_id}) nor a configured previous key")
        header = token[:1 + _KEY_ID_BYTES]
        nonce = token[1 + _KEY_ID_BYTES:_HEADER_BYTES]
        body = token[_HEADER_BYTES:]
        try:
            return aead.decrypt(nonce, body, header).decode("ascii")
        except InvalidTag:
            raise CprDecryptionError(
                f"the CPR token (key id {kid_hex}) failed authentication: it was altered or "
                "corrupted") from None

    def rotate(self, token: bytes) -> bytes:
        """Decrypt with any known key and re-encrypt under the current key (fresh nonce).

        Raises:
            CprDecryptionError: as :meth:`decrypt`.
        """
        return self.encrypt(self.decrypt(token))

    def rotate_record(self, token: bytes) -> tuple[bytes, str]:
        """Re-encrypt under the current key and return ``(new_token, new_lookup_hash)``."""
        digits = self.decrypt(token)
        return self.encrypt(digits), self.lookup_hash(digits)

    def lookup_hash(self, cpr: str) -> str:
        """Keyed hash (HMAC-SHA256, hex) of a CPR number for exact-match search.

        Both formats of the same number give the same hash; the hash changes with the current
        key (see the class docstring).

        Raises:
            InvalidInput: the number is not valid.
        """
        return self._lookup(parse_cpr(cpr), self._lookup_keys[0])

    def lookup_hashes(self, cpr: str) -> list[str]:
        """The lookup hash under the current key, then under each previous key.

        For search while a rotation is pending: ``WHERE cpr_hash IN (...)``.
        """
        digits = parse_cpr(cpr)
        return [self._lookup(digits, k) for k in self._lookup_keys]

    @staticmethod
    def _lookup(digits: str, lookup_key: bytes) -> str:
        return hmac.new(lookup_key, digits.encode("ascii"), hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------- whole columns


def parse_cpr_column(values: pl.Series, *, table: str | None = None, field: str = "cpr",
                     first_row: int = 1, not_after: date | None = None) -> pl.Series:
    """Validate a whole column of CPR numbers at once (for importers); returns the 10 digits.

    Same rules as :func:`parse_cpr`, vectorised with Polars. Every offending row is reported,
    each with its value masked, so nothing partial is imported.

    Args:
        values: the column as entered (text; nulls are refused).
        table: the table name for problem reports.
        field: the column name for problem reports.
        first_row: the row number of the first value (1 = first data line after a header).
        not_after: when given, refuse dates of birth after it (see :func:`parse_cpr`).

    Returns:
        A String series of 10-digit numbers with the same name and length.

    Raises:
        InvalidInput: one problem per offending row (value ``"<masked>"``, no digits).
    """
    text = values.cast(pl.String, strict=False).str.strip_chars()
    frame = pl.DataFrame({"text": text})
    digits = pl.col("text").str.replace("-", "", literal=True)
    yy = digits.str.slice(4, 2).cast(pl.Int32, strict=False)
    seventh = digits.str.slice(6, 1).cast(pl.Int32, strict=False)
    century = (pl.when(seventh <= 3).then(1900)
               .when(seventh.is_in([4, 9])).then(pl.when(yy <= 36).then(2000).otherwise(1900))
               .otherwise(pl.when(yy <= 57).then(2000).otherwise(1800)))
    iso = pl.concat_str([(century + yy).cast(pl.String), pl.lit("-"), digits.str.slice(2, 2),
                         pl.lit("-"), digits.str.slice(0, 2)])
    checked = frame.with_columns(
        well_formed=pl.col("text").str.contains(r"^[0-9]{6}-?[0-9]{4}$").fill_null(False),
        month=digits.str.slice(2, 2).cast(pl.Int32, strict=False),
        born=iso.str.to_date("%Y-%m-%d", strict=False),
        digits=digits,
    )
    too_late = pl.lit(False) if not_after is None else pl.col("born") > pl.lit(not_after)
    bad = checked.with_row_index("i").filter(
        ~pl.col("well_formed") | pl.col("born").is_null() | too_late)
    if bad.height:
        problems = []
        for i, text_value, well_formed, month, born in bad.select(
                "i", "text", "well_formed", "month", "born").iter_rows():
            if text_value is None:
                message = "a CPR number is required"
            elif not well_formed:
                message = "a CPR number must be 10 digits, written DDMMYY-SSSS or DDMMYYSSSS"
            elif not 1 <= month <= 12:
                message = "the month (3rd-4th digit) of a CPR number must be 01-12"
            elif born is not None:
                message = _FUTURE
            else:
                message = ("the first six digits of a CPR number must be a real date of birth "
                           "(DDMMYY; the 7th digit gives the century)")
            problems.append(Problem(field=field, value=MASKED, message=message,
                                    row=first_row + i, table=table))
        raise InvalidInput(problems)
    return checked["digits"].alias(values.name)
