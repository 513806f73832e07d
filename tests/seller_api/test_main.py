"""Authentication, rate limit, body cap, validation and health."""

from __future__ import annotations

from sqlalchemy import select

from seller_api.settings import SellerApiSettings
from store.db import transaction
from store.models import ApiKey
from store.repo.credentials import revoke_api_key
from tests.seller_api.conftest import Store, make_client

PATHS = [
    "/v1/products", "/v1/products/1", "/v1/products/1/related", "/v1/insights/customers",
    "/v1/insights/search-terms", "/v1/insights/page-slots", "/v1/customers/loyal", "/v1/ads/roas",
]  # fmt: skip


def test_health(client) -> None:  # type: ignore[no-untyped-def]
    assert client.get("/health").json() == {"status": "ok", "store": "ok"}


def test_missing_unknown_and_revoked_keys_are_401(demo: Store, client) -> None:  # type: ignore[no-untyped-def]
    for path in PATHS:
        assert client.get(path).status_code == 401
        assert client.get(path, headers={"X-API-Key": "jbk_nope"}).status_code == 401
    assert client.post("/v1/tags/suggest", json={"title": "x"}).status_code == 401
    with transaction(demo.engine) as s:
        from store.repo.credentials import issue_api_key

        issued = issue_api_key(s, "s005", label="to revoke")
    h = {"X-API-Key": issued.secret}
    assert client.get("/v1/products", headers=h).status_code == 200
    with transaction(demo.engine) as s:
        revoke_api_key(s, issued.id)
        assert s.scalar(select(ApiKey.revoked_at).where(ApiKey.id == issued.id)) is not None
    r = client.get("/v1/products", headers=h)
    assert r.status_code == 401 and r.headers["WWW-Authenticate"] == "APIKey"


def test_rate_limit_per_key(demo: Store) -> None:
    client = make_client(demo.engine, SellerApiSettings(rate_per_second=0.01, rate_burst=3))
    codes = [
        client.get("/v1/products?limit=1", headers=demo.key("s001")).status_code for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    r = client.get("/v1/products?limit=1", headers=demo.key("s001"))
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    # Another key has its own budget.
    assert client.get("/v1/products?limit=1", headers=demo.key("s002")).status_code == 200


def test_body_cap(demo: Store) -> None:
    client = make_client(demo.engine, SellerApiSettings(max_body_bytes=2048))
    rows = [
        {"campaign": "c", "keyword": f"k{i}", "date": "2026-10-01", "cost": 1, "clicks": 1}
        for i in range(100)
    ]
    r = client.post("/v1/ads/spend", headers=demo.key("s001"), json={"rows": rows})
    assert r.status_code == 413

    # Without a Content-Length (streamed), the cap still holds.
    def chunks():  # type: ignore[no-untyped-def]
        for _ in range(10):
            yield b"x" * 1000

    r = client.post(
        "/v1/tags/suggest",
        headers={**demo.key("s001"), "Content-Type": "application/json"},
        content=chunks(),
    )
    assert r.status_code == 413


def test_validation_names_fields(client, demo: Store) -> None:  # type: ignore[no-untyped-def]
    h = demo.key("s001")
    cases = [
        ("/v1/products?limit=0", "limit"), ("/v1/products?limit=101", "limit"),
        ("/v1/products/0", "product_id"), ("/v1/products/abc", "product_id"),
        ("/v1/products/99999999999", "product_id"), ("/v1/insights/customers?from=2026-01-40", "from"),
        ("/v1/insights/search-terms?to=9999-12-31", "to"), ("/v1/customers/loyal?min_score=2", "min_score"),
        ("/v1/customers/loyal?segment=vip", "segment"), ("/v1/products?cursor=abc", "cursor"),
    ]  # fmt: skip
    for path, field in cases:
        r = client.get(path, headers=h)
        assert r.status_code == 422, path
        assert r.json()["detail"][0]["loc"][-1] == field, path
