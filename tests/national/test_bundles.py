"""Bundles: round trip, refusal of tampering and unknown keys, disclosure control, no personal fields."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trappen.kpi import compute_kpis
from trappen.national import (
    COLUMNS,
    DISCLOSURE_THRESHOLD,
    BadSignature,
    ManifestMismatch,
    UnknownMunicipalityKey,
    bundle_export,
    bundle_verify,
    key_generate,
    keys_write,
    person_count_columns,
    private_key_load,
    public_keys_read,
)
from trappen.national._bundle import canonical_bytes
from trappen.register import Register
from trappen.synthetic import generate

from .conftest import CREATED

CODE = "901"


@pytest.fixture(scope="module")
def register() -> Register:
    return generate(children=300, years=2, seed=3)


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return key_generate()


@pytest.fixture(scope="module")
def data(register: Register, key: Ed25519PrivateKey) -> bytes:
    return bundle_export(register, municipality_code=CODE, years=[2024, 2025], private_key=key, created=CREATED)


def _resign(doc: dict, key: Ed25519PrivateKey) -> bytes:
    import base64

    doc["signature"] = base64.b64encode(key.sign(canonical_bytes(doc["manifest"]))).decode()
    return canonical_bytes(doc)


def test_round_trip(data: bytes, key: Ed25519PrivateKey, register: Register) -> None:
    bundle = bundle_verify(data, public_keys={CODE: key.public_key()})
    assert bundle.municipality_code == CODE and bundle.manifest["years"] == [2024, 2025]
    assert bundle.created == "2026-01-15T09:00:00Z"
    assert set(bundle.table["year"].to_list()) == {2024, 2025}
    # every cell shown equals the engine's value for that year
    from datetime import date

    engine = compute_kpis(register, at=date(2025, 12, 31), period=(date(2025, 1, 1), date(2026, 1, 1)))
    shown = bundle.table.filter((pl.col("year") == 2025) & ~pl.col("suppressed"))
    assert shown.height > 0
    joined = shown.join(engine, on=["kpi_code", "step", "from_step", "to_step", "district", "age_band",
                                    "placement_type", "duty"], how="left", nulls_equal=True, suffix="_engine")
    assert joined.height == shown.height
    assert (joined["numerator"] == joined["numerator_engine"]).all()


def test_same_inputs_give_the_same_bytes(register: Register, key: Ed25519PrivateKey, data: bytes) -> None:
    again = bundle_export(register, municipality_code=CODE, years=[2025, 2024], private_key=key, created=CREATED)
    assert again == data  # Ed25519 signatures are deterministic


def test_tampered_content_is_refused(data: bytes, key: Ed25519PrivateKey) -> None:
    doc = json.loads(data)
    row = next(r for r in doc["content"] if r[COLUMNS.index("numerator")])
    row[COLUMNS.index("numerator")] += 1
    with pytest.raises(ManifestMismatch, match="content does not match the manifest"):
        bundle_verify(canonical_bytes(doc), public_keys={CODE: key.public_key()})


def test_tampered_manifest_is_refused(data: bytes, key: Ed25519PrivateKey) -> None:
    for field, value in [("years", [2025]), ("municipality_code", CODE), ("created", "2099-01-01T00:00:00Z")]:
        doc = json.loads(data)
        doc["manifest"][field] = value
        if field == "municipality_code":
            doc["signature"] = doc["signature"][::-1]
        with pytest.raises(BadSignature, match="signature does not verify"):
            bundle_verify(canonical_bytes(doc), public_keys={CODE: key.public_key()})


def test_a_manifest_signed_but_not_describing_the_content_is_refused(data: bytes, key: Ed25519PrivateKey) -> None:
    doc = json.loads(data)
    doc["manifest"]["rows"] += 1
    with pytest.raises(ManifestMismatch, match="rows"):
        bundle_verify(_resign(doc, key), public_keys={CODE: key.public_key()})
    doc = json.loads(data)
    doc["manifest"]["extra"] = 1
    with pytest.raises(ManifestMismatch, match="extra"):
        bundle_verify(_resign(doc, key), public_keys={CODE: key.public_key()})


def test_unknown_key_and_another_municipalitys_key_are_refused(data: bytes) -> None:
    with pytest.raises(UnknownMunicipalityKey, match="no public key held"):
        bundle_verify(data, public_keys={"902": key_generate().public_key()})
    with pytest.raises(BadSignature):
        bundle_verify(data, public_keys={CODE: key_generate().public_key()})


def test_not_a_bundle_is_refused() -> None:
    with pytest.raises(ManifestMismatch, match="not a JSON bundle"):
        bundle_verify(b"PK\x03\x04garbage", public_keys={})


def test_no_count_1_to_4_of_persons_anywhere(data: bytes) -> None:
    doc = json.loads(data)
    hidden = 0
    for row in doc["content"]:
        cell = dict(zip(COLUMNS, row, strict=True))
        for column in person_count_columns(cell["kpi_code"]):
            v = cell[column]
            assert v is None or v == 0 or abs(v) >= DISCLOSURE_THRESHOLD, cell
        if cell["suppressed"]:
            hidden += 1
            assert cell["value"] is None and cell["numerator"] is None and cell["denominator"] is None
    assert hidden > 0  # a 300-child municipality has small cells: the control did something


def test_no_personal_field_names_in_a_bundle(data: bytes) -> None:
    doc = json.loads(data)
    keys = set(doc) | set(doc["manifest"]) | set(doc["manifest"]["columns"])
    personal = {"child_id", "cpr", "name", "first_name", "last_name", "birth_date", "address", "caseworker_id",
                "person_id", "episode_id"}
    assert not keys & personal
    text = data.decode().lower()
    assert not any(f'"{field}"' in text for field in personal)
    assert "child_id" not in text and "cpr" not in text


def test_keys_round_trip_through_files(tmp_path: Path) -> None:
    private = key_generate()
    private_path, public_path = keys_write(tmp_path, municipality_code="657", private_key=private)
    assert private_path.stat().st_mode & 0o077 == 0
    loaded = private_key_load(private_path.read_bytes())
    assert loaded.public_key().public_bytes_raw() == public_keys_read(tmp_path)["657"].public_bytes_raw()
    from trappen.errors import InvalidInput

    with pytest.raises(InvalidInput, match="refusing to overwrite"):
        keys_write(tmp_path, municipality_code="657", private_key=private)
    with pytest.raises(InvalidInput, match="municipality_code"):
        keys_write(tmp_path, municipality_code="65", private_key=private)
