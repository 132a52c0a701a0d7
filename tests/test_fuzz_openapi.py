"""Every operation of the OpenAPI document, fuzzed over real HTTP as a user and as an admin.

Schemathesis generates requests from the document itself, so this fails on any 5xx, any answer
that does not match its documented schema, content type or status code. Bounded: a few examples
per operation and role. Operations whose effect ends the session for the rest of the examples
(logout, deleting oneself) still run; the 401s that follow are documented answers.
"""
from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, positive_data_acceptance

EXAMPLES = 6
# Validation the schema cannot express (NFC normalisation, control characters, dates after 1970)
# rightly answers 422 to "schema-valid" input; the 503 rule is asserted below instead.
LENIENT = [not_a_server_error, positive_data_acceptance]
# Signed webhooks cannot be generated (every request is a documented 400 without a signature),
# and running generated programs only spends sandbox time on syntax errors.
SKIPPED = {("POST", "/api/payments/webhook"), ("POST", "/api/code/execute")}


def _operations() -> list[Any]:
    from layers.http.openapi import document

    schema = schemathesis.openapi.from_dict(document())
    operations = [result.ok() for result in schema.get_all_operations()]
    return [op for op in operations if (op.method.upper(), op.path) not in SKIPPED]


OPERATIONS = _operations()
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize("role", ["user", "admin"])
@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: f"{op.method.upper()} {op.path}")
def test_every_operation_answers_as_documented(operation: Any, role: str, live_server: str, users: Any) -> None:
    token = (users.admin() if role == "admin" else users.create()).token

    @FUZZ
    @given(case=operation.as_strategy())
    def fuzz(case: Any) -> None:
        response = case.call_and_validate(base_url=live_server, headers={"Authorization": f"Bearer {token}"},
                                          timeout=30, excluded_checks=LENIENT)
        # A 503 is documented everywhere: a dependency that is not configured here (Google sign-in,
        # Stripe) or down. Any other 5xx is a bug.
        assert response.status_code < 500 or response.status_code == 503, response.text
        if response.status_code == 503:
            assert response.json()["detail"]

    fuzz()
