"""Schemathesis over /openapi.json: no 5xx and no response that breaks the schema, for valid and
invalid input, with a real key (a bounded run: a few examples per operation)."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from seller_api.api.deps import get_search, get_store_engine
from seller_api.main import create_app
from seller_api.settings import SellerApiSettings
from tests.seller_api.conftest import Store

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = 12  # per operation and mode: bounded, so the default suite stays fast


def test_api_conforms(demo: Store) -> None:
    app = create_app(SellerApiSettings(rate_burst=100_000, rate_per_second=10_000))
    app.dependency_overrides[get_store_engine] = lambda: demo.engine
    app.dependency_overrides[get_search] = lambda: None
    headers = {"X-API-Key": demo.keys["s002"]}
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 11
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
            def run(case) -> None:  # type: ignore[no-untyped-def]
                case.call_and_validate(headers=headers, checks=CHECKS)

            try:
                run()
            except Unsatisfiable:
                # No invalid input exists for an operation without parameters (GET /health).
                assert mode is GenerationMode.NEGATIVE
