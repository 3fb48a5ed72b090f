"""Importing into the national store: the 98-municipality nation in one call, idempotence, replacement."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from trappen.national import BadSignature, bundle_export, bundles_import, store_list, store_read
from trappen.register import Register
from trappen.synthetic import synthetic_municipalities

from .conftest import CREATED


def _tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def bundle_files(nation: dict[str, Register], keys: dict[str, Ed25519PrivateKey],
                 tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    out = tmp_path_factory.mktemp("bundles")
    paths = []
    for code, register in nation.items():
        path = out / f"{code}.json"
        path.write_bytes(bundle_export(register, municipality_code=code, years=[2025], private_key=keys[code],
                                       created=CREATED))
        paths.append(path)
    return paths


def test_the_synthetic_nation_has_98_municipalities_of_spread_sizes() -> None:
    municipalities = synthetic_municipalities(children_scale=8_000, seed=1)
    sizes = sorted(m.children for m in municipalities)
    assert len(municipalities) == 98 and len({m.code for m in municipalities}) == 98
    assert sizes[-1] > 5 * sizes[len(sizes) // 2] > 25 * sizes[0] / 5  # a long right tail, as Denmark's
    assert synthetic_municipalities(children_scale=8_000, seed=1) == municipalities  # seeded


def test_98_bundles_import_in_one_call_and_twice_changes_nothing(
        bundle_files: list[Path], keys: dict[str, Ed25519PrivateKey], tmp_path: Path) -> None:
    public = {code: k.public_key() for code, k in keys.items()}
    results = bundles_import(bundle_files, store_dir=tmp_path, public_keys=public)
    assert len(results) == 98 and {r.action for r in results} == {"added"}
    listed = store_list(tmp_path)
    assert listed.height == 98 and listed["municipality_code"].n_unique() == 98
    assert store_read(tmp_path)["municipality_code"].n_unique() == 98
    before = _tree(tmp_path)
    again = bundles_import(bundle_files, store_dir=tmp_path, public_keys=public)
    assert {r.action for r in again} == {"unchanged"}
    assert _tree(tmp_path) == before


def test_a_newer_bundle_replaces_and_an_older_is_skipped(
        nation: dict[str, Register], keys: dict[str, Ed25519PrivateKey], tmp_path: Path) -> None:
    code = next(iter(nation))
    public = {code: keys[code].public_key()}
    store, files = tmp_path / "store", tmp_path / "files"
    files.mkdir()
    for name, created in [("now", CREATED), ("later", CREATED + timedelta(days=1)),
                          ("earlier", CREATED - timedelta(days=1))]:
        (files / f"{name}.json").write_bytes(bundle_export(nation[code], municipality_code=code, years=[2025],
                                                           private_key=keys[code], created=created))
    assert [r.action for r in bundles_import([files / "now.json"], store_dir=store, public_keys=public)] == ["added"]
    assert [r.action for r in bundles_import([files / "later.json"], store_dir=store,
                                             public_keys=public)] == ["replaced"]
    after_later = _tree(store)
    assert [r.action for r in bundles_import([files / "earlier.json"], store_dir=store,
                                             public_keys=public)] == ["not_newer"]
    assert _tree(store) == after_later
    assert store_list(store)["created"].to_list() == ["2026-01-16T09:00:00Z"]


def test_a_tampered_bundle_among_good_ones_writes_nothing(
        bundle_files: list[Path], keys: dict[str, Ed25519PrivateKey], tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(bundle_files[1].read_bytes().replace(b'"created":"2026-01-15', b'"created":"2027-01-15'))
    public = {code: k.public_key() for code, k in keys.items()}
    with pytest.raises(BadSignature, match="bad.json"):
        bundles_import([bundle_files[0], bad], store_dir=tmp_path / "store", public_keys=public)
    assert not (tmp_path / "store").exists()
