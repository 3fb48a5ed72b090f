"""The database itself refuses UPDATE and DELETE on the audit table (SQLite and PostgreSQL
triggers), through the ORM and through raw SQL; the register reload leaves audit rows alone."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from trappen.web.audit.models import AuditEvent
from trappen.web.audit.services import audit_record, audit_verify
from trappen.web.audit.triggers import TABLE, append_only_drop


@pytest.fixture
def event(scene):
    return audit_record(actor=scene["users"]["caseworker"], child_id=scene["ids"]["in"]["child_id"],
                        action="read", endpoint="child_detail", purpose="own_case")


def _refused(run) -> None:
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        run()


def test_orm_update_and_delete_are_refused_by_the_database(event):
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).update(purpose="edited"))
    _refused(lambda: AuditEvent.objects.filter(pk=event.pk).delete())
    _refused(lambda: AuditEvent.objects.all()._raw_delete(connection.alias))
    assert AuditEvent.objects.get(pk=event.pk).purpose == "own_case"
    assert audit_verify() == []


def test_raw_sql_update_and_delete_are_refused_by_the_database(event):
    def update() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {TABLE} SET purpose = %s WHERE id = %s", ["edited", event.pk])

    def delete() -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE}")

    _refused(update)
    _refused(delete)
    assert AuditEvent.objects.filter(pk=event.pk, purpose="own_case").exists()


def test_inserts_still_work_and_the_triggers_can_be_lifted_only_by_ddl(event, scene):
    second = audit_record(actor=scene["users"]["teamleader"], child_id=None, action="read", endpoint="x")
    assert second.previous_hash == event.entry_hash
    append_only_drop(connection)  # an attacker with DDL rights; rolled back with the test
    AuditEvent.objects.filter(pk=second.pk).delete()
    assert not AuditEvent.objects.filter(pk=second.pk).exists()
