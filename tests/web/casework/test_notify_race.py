"""One child per CPR number (#14 item 4): the database refuses a second child with the same CPR
lookup hash, and parallel notifications about one new CPR number register it once."""

from __future__ import annotations

import datetime as dt
import os
import threading

import pytest
from django.db import IntegrityError, connection, transaction

from trappen.web.register import models as m
from trappen.web.register.crypto import cpr_cipher

NEW_CPR = "150612-4482"  # synthetic: born 2012-06-15, a girl
PARALLEL = 8


def test_the_database_refuses_a_second_child_with_the_same_cpr(districts):
    cipher = cpr_cipher()
    fields = {"name": "Et Barn", "birth_date": dt.date(2012, 6, 15), "sex": "F", "district_id": "N",
              "entry_date": dt.date(2012, 6, 15), "cpr_encrypted": cipher.encrypt(NEW_CPR),
              "cpr_lookup": cipher.lookup_hash(NEW_CPR)}
    m.Child.objects.create(**fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        m.Child.objects.create(**fields)


# Parallel transactions need PostgreSQL (SQLite serialises every write): the test exists in the
# PostgreSQL run only (DATABASE_URL set, CI's second run), so neither run skips a case.
_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))


@pytest.mark.django_db(transaction=True)
def _parallel_notifications_one_child(districts, make_user):
    assert connection.vendor == "postgresql"
    from trappen.web.casework.services import notification_submit

    partners = [make_user(f"skole{i}", "partner", ["S"]) for i in range(PARALLEL)]
    barrier = threading.Barrier(PARALLEL)
    errors: list[BaseException] = []

    def send(partner) -> None:
        try:
            barrier.wait(timeout=30)
            notification_submit(actor=partner, cpr=NEW_CPR, name="Nyt Barn", notifier_kind="school",
                                concern="Kommer ofte sulten i skole.")
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=send, args=(p,)) for p in partners]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert m.Child.objects.count() == 1
    assert m.Notification.objects.filter(child=m.Child.objects.get()).count() == PARALLEL
    assert m.Residence.objects.count() == 1


if _POSTGRES:
    test_parallel_notifications_about_a_new_cpr_register_one_child = _parallel_notifications_one_child
