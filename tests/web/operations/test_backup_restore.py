"""Backup and restore on the configured database (SQLite locally; SQLite and PostgreSQL in CI):
a small register with audit events survives backup and restore into a fresh database, with
the same rows per table and an intact audit chain ending at the backup's head."""

from __future__ import annotations

import json

import pytest

from trappen.operations.manifest import (
    BackupIncompatible,
    ChecksumMismatch,
    DatabaseNotEmpty,
    ManifestInvalid,
    manifest_path,
    read_manifest,
)
from trappen.synthetic import generate

# The dump is taken by another connection (PostgreSQL: pg_dump), so the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def tiny_register():
    return generate(children=80, years=2, seed=7)


@pytest.fixture
def register_with_audit(tiny_register, make_user):
    from trappen.web.audit.services import audit_record
    from trappen.web.register.models import Child
    from trappen.web.register.services import register_bulk_load

    register_bulk_load(tiny_register, seed=7)
    user = make_user("cw-backup", "caseworker")
    children = list(Child.objects.order_by("id").values_list("id", flat=True)[:5])
    for child_id in children:
        audit_record(actor=user, child_id=child_id, action="read", endpoint="child_detail", purpose="own_case")
    audit_record(actor=user, child_id=children[0], action="write", endpoint="intervention_start", purpose="test")
    return tiny_register


def test_backup_restore_into_a_fresh_database_keeps_rows_and_audit_chain(register_with_audit, tmp_path):
    from trappen.web.audit.models import AuditEvent
    from trappen.web.operations._databases import scratch_database
    from trappen.web.operations.selectors import audit_chain_breaks, database_table_counts
    from trappen.web.operations.services import database_backup, database_restore
    from trappen.web.register.models import Child, Episode

    source_counts = database_table_counts()
    head = AuditEvent.objects.order_by("-id").first()
    dump = tmp_path / "trappen.dump"
    manifest = database_backup(out=dump)
    assert manifest_path(dump).exists() and not dump.with_name(dump.name + ".part").exists()
    assert manifest.tables == source_counts
    assert manifest.tables[Child._meta.db_table] == Child.objects.count() > 80
    assert manifest.audit_head is not None and manifest.audit_head.id == head.id
    assert manifest.audit_head.entry_hash == head.entry_hash
    assert read_manifest(dump) == manifest

    with scratch_database() as fresh:
        assert sum(database_table_counts(alias=fresh).values()) == 0
        restored, check = database_restore(dump=dump, alias=fresh)
        assert restored == manifest
        assert check.ok, (check.count_mismatches, check.audit_breaks)
        assert database_table_counts(alias=fresh) == source_counts
        assert Episode.objects.using(fresh).count() == Episode.objects.count()
        events, breaks = audit_chain_breaks(alias=fresh, expected_head=head.entry_hash)
        assert (events, breaks) == (6, [])
        # the restored chain continues: the same hashes, row for row
        assert (list(AuditEvent.objects.using(fresh).values_list("id", "entry_hash"))
                == list(AuditEvent.objects.values_list("id", "entry_hash")))


def test_a_changed_dump_is_refused_before_anything_is_written(register_with_audit, tmp_path):
    from trappen.web.operations._databases import scratch_database
    from trappen.web.operations.selectors import database_table_counts
    from trappen.web.operations.services import backup_verify, database_backup, database_restore

    dump = tmp_path / "trappen.dump"
    database_backup(out=dump)
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    with scratch_database() as fresh:
        with pytest.raises(ChecksumMismatch) as refused:
            database_restore(dump=dump, alias=fresh)
        assert "\n" not in str(refused.value) and "checksum does not match" in str(refused.value)
        assert sum(database_table_counts(alias=fresh).values()) == 0
    with pytest.raises(ChecksumMismatch):
        backup_verify(dump=dump, quick=True)


def test_a_lost_audit_tail_is_caught_by_the_manifest_head(register_with_audit, tmp_path):
    """The manifest's head says where the chain must end: a dump whose last events are gone
    (here: a manifest claiming a later head) fails the check as 'truncated'."""
    from trappen.web.operations._databases import scratch_database
    from trappen.web.operations.services import database_backup, database_restore

    dump = tmp_path / "trappen.dump"
    database_backup(out=dump)
    path = manifest_path(dump)
    data = json.loads(path.read_text())
    data["audit_head"]["entry_hash"] = "a" * 64
    path.write_text(json.dumps(data))
    with scratch_database() as fresh:
        _, check = database_restore(dump=dump, alias=fresh)
    assert not check.ok and [b.kind for b in check.audit_breaks] == ["truncated"]
    assert check.count_mismatches == []


def test_non_empty_target_needs_force(register_with_audit, tmp_path):
    from trappen.web.operations.services import database_backup, database_restore
    from trappen.web.register.models import Child

    dump = tmp_path / "trappen.dump"
    manifest = database_backup(out=dump)
    with pytest.raises(DatabaseNotEmpty, match="--force"):
        database_restore(dump=dump)
    Child.objects.filter(pk__in=list(Child.objects.values_list("pk", flat=True)[:3])).delete()
    _, check = database_restore(dump=dump, force=True)
    assert check.ok and Child.objects.count() == manifest.tables[Child._meta.db_table]


def test_manifest_missing_or_for_another_vendor_is_refused(register_with_audit, tmp_path):
    from django.db import connection

    from trappen.web.operations._databases import scratch_database
    from trappen.web.operations.services import database_backup, database_restore

    dump = tmp_path / "trappen.dump"
    database_backup(out=dump)
    path = manifest_path(dump)
    data = json.loads(path.read_text())
    data["vendor"] = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    path.write_text(json.dumps(data))
    with scratch_database() as fresh, pytest.raises(BackupIncompatible, match="backup; the target database is"):
        database_restore(dump=dump, alias=fresh)
    path.unlink()
    with pytest.raises(ManifestInvalid, match="manifest not found"):
        database_restore(dump=dump)


def test_verify_restores_into_a_scratch_database(register_with_audit, tmp_path):
    from trappen.web.operations.services import backup_verify, database_backup

    dump = tmp_path / "trappen.dump"
    database_backup(out=dump)
    manifest, check = backup_verify(dump=dump)
    assert check is not None and check.ok and check.audit_events == 6
    assert backup_verify(dump=dump, quick=True) == (manifest, None)
