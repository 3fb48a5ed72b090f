"""The backup manifest core: checksum, count comparison, malformed manifests (no database)."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest

from trappen.operations.manifest import (
    BackupManifest,
    ChecksumMismatch,
    CountMismatch,
    ManifestInvalid,
    check_checksum,
    count_mismatches,
    file_sha256,
    manifest_path,
    read_manifest,
    write_manifest,
)


def _manifest(dump, **changes) -> BackupManifest:
    fields = {"trappen_version": "0.1.0", "vendor": "sqlite", "server_version": "3.40.1",
              "created_at": dt.datetime(2026, 12, 1, 2, 0, tzinfo=dt.UTC), "dump_file": dump.name,
              "dump_sha256": file_sha256(dump), "dump_bytes": dump.stat().st_size,
              "tables": {"a": 2, "b": 0}, "audit_head": {"id": 5, "entry_hash": "f" * 64}}
    return BackupManifest.model_validate({**fields, **changes})


def test_sha256_in_chunks_equals_hashlib(tmp_path):
    dump = tmp_path / "x.dump"
    dump.write_bytes(bytes(range(256)) * 1000)
    assert file_sha256(dump, chunk_bytes=1000) == hashlib.sha256(dump.read_bytes()).hexdigest()


def test_round_trip_and_checksum(tmp_path):
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"dump")
    manifest = _manifest(dump)
    assert write_manifest(manifest, dump) == manifest_path(dump) == tmp_path / "x.dump.manifest.json"
    assert read_manifest(dump) == manifest and manifest.total_rows == 2
    check_checksum(dump, manifest)
    dump.write_bytes(b"dumq")  # same size, other content
    with pytest.raises(ChecksumMismatch, match="checksum does not match"):
        check_checksum(dump, manifest)


def test_count_mismatches_by_table():
    assert count_mismatches({"a": 2, "b": 0}, {"a": 2, "b": 0, "extra": 9}) == []
    assert count_mismatches({"a": 2, "b": 0}, {"a": 3}) == [CountMismatch(table="a", expected=2, found=3),
                                                           CountMismatch(table="b", expected=0, found=None)]
    assert str(CountMismatch(table="b", expected=1, found=None)) == "b: missing, manifest says 1"


def test_malformed_manifest_names_file_and_field(tmp_path):
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"dump")
    with pytest.raises(ManifestInvalid, match="manifest not found"):
        read_manifest(dump)
    manifest_path(dump).write_text("{not json", encoding="utf-8")
    with pytest.raises(ManifestInvalid, match="not a readable JSON manifest"):
        read_manifest(dump)
    manifest_path(dump).write_text(_manifest(dump).model_dump_json().replace('"sqlite"', '"oracle"'))
    with pytest.raises(ManifestInvalid, match="field 'vendor'"):
        read_manifest(dump)
