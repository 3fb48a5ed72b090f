"""Fuzz the JSON API from its own OpenAPI document (schemathesis): no input may cause a 5xx.

Each operation gets a handful of generated requests (valid and schema-violating bodies, path
and query values) with a caseworker's token, against the scene's data, so the run stays a few
seconds in CI while covering every operation the API declares.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, given, settings

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

EXAMPLES_PER_OPERATION = 8


@pytest.fixture
def keep_connection():
    """Like django.test.Client: keep the test's connection open across WSGI requests."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_no_generated_request_gets_a_5xx(keep_connection, scene):
    token = scene["tokens"]["caseworker"]
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(),
                                            headers={"Authorization": f"Bearer {token}"})
    operations = [op.ok() for op in schema.get_all_operations()]
    assert len(operations) >= 5
    failures: list[str] = []
    def fuzz(operation: object) -> None:
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: object) -> None:
            with transaction.atomic():  # on PostgreSQL one failed statement must not poison the rest
                response = case.call(headers={"Authorization": f"Bearer {token}"})
                transaction.set_rollback(True)
            if response.status_code >= 500:
                failures.append(f"{operation.method.upper()} {operation.path}: {response.status_code} "
                                f"{case.path_parameters} {case.query} {case.body!r:.200}")

        run()

    for operation in operations:
        fuzz(operation)
    assert not failures, "\n".join(failures[:20])
