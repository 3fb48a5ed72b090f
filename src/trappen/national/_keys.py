"""Ed25519 key helpers: generate, serialise (PEM) and read a directory of public keys."""

from __future__ import annotations

import re
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from trappen.errors import InvalidInput

MUNICIPALITY_CODE = re.compile(r"^[0-9]{3}$")
"""A municipality code: three digits (Danmarks Statistik's kommunekode, e.g. 657 Herning)."""


def municipality_code_check(code: str) -> str:
    """Return ``code`` when it is three digits, else raise InvalidInput naming it."""
    if not isinstance(code, str) or not MUNICIPALITY_CODE.match(code):
        raise InvalidInput("a municipality code is three digits, e.g. 657", field="municipality_code", value=code)
    return code


def key_generate() -> Ed25519PrivateKey:
    """A new Ed25519 private key (the municipality keeps it; the national instance gets the public key)."""
    return Ed25519PrivateKey.generate()


def private_key_pem(key: Ed25519PrivateKey) -> bytes:
    """The private key as unencrypted PKCS#8 PEM (protect the file: mode 0600)."""
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def public_key_pem(key: Ed25519PublicKey) -> bytes:
    """The public key as SubjectPublicKeyInfo PEM."""
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def private_key_load(data: bytes) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM; InvalidInput when it is not one."""
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"not a PEM private key ({exc})", field="private_key", value="<key file>") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput("the private key is not an Ed25519 key", field="private_key", value=type(key).__name__)
    return key


def public_key_load(data: bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM; InvalidInput when it is not one."""
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"not a PEM public key ({exc})", field="public_key", value="<key file>") from None
    if not isinstance(key, Ed25519PublicKey):
        raise InvalidInput("the public key is not an Ed25519 key", field="public_key", value=type(key).__name__)
    return key


def keys_write(directory: Path | str, *, municipality_code: str, private_key: Ed25519PrivateKey) -> tuple[Path, Path]:
    """Write ``<code>.key`` (mode 0600) and ``<code>.pub`` into ``directory``; refuse to overwrite."""
    municipality_code_check(municipality_code)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    private_path, public_path = directory / f"{municipality_code}.key", directory / f"{municipality_code}.pub"
    for path in (private_path, public_path):
        if path.exists():
            raise InvalidInput("key file exists; refusing to overwrite", field="out", value=str(path))
    private_path.touch(mode=0o600)
    private_path.write_bytes(private_key_pem(private_key))
    public_path.write_bytes(public_key_pem(private_key.public_key()))
    return private_path, public_path


def public_keys_read(directory: Path | str) -> dict[str, Ed25519PublicKey]:
    """The public keys ``<code>.pub`` in ``directory``, by municipality code."""
    directory = Path(directory)
    if not directory.is_dir():
        raise FileNotFoundError(f"no key directory {directory}")
    keys = {}
    for path in sorted(directory.glob("*.pub")):
        keys[municipality_code_check(path.stem)] = public_key_load(path.read_bytes())
    return keys
