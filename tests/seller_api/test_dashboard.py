"""The seller dashboard as served: the page and its own files (same origin only, locked down by
CSP), the vendored Chart.js (served only while it matches its pin, else a message naming the
command), and the API additions the page relies on (`/v1/me`, each tag's reason, the loyal
audience segment). The page in a real browser: tests/browser/test_dashboard.py."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from seller_api.analytics.tags import Tag, reason
from seller_api.dashboard import routes as dashboard_routes
from seller_api.dashboard.vendor import Library, load_pins
from seller_api.settings import SellerApiSettings
from store.db import transaction
from store.repo.credentials import issue_api_key, revoke_api_key
from tests.seller_api.conftest import Store, make_client

FULL = {"from": "2026-08-03", "to": "2026-10-31"}
FAKE_JS = b"window.Chart = function () {};\n"
TEST_IDS = ("api-key", "error", "chart-roas", "chart-searches", "chart-lifestyle", "chart-slots",
            "tag-title", "export-audience")  # fmt: skip


def _page_urls(html: str) -> list[str]:
    return re.findall(r'(?:src|href)="([^"]+)"', html)


def test_the_page_is_served_with_its_hooks_and_a_strict_policy(client: TestClient) -> None:
    r = client.get("/dashboard")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    for test_id in TEST_IDS:
        assert f'data-testid="{test_id}"' in r.text, test_id
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "connect-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    # The page is not part of the API's schema.
    assert not any(p.startswith("/dashboard") for p in client.get("/openapi.json").json()["paths"])


def test_every_file_the_page_loads_is_on_this_server(client: TestClient) -> None:
    """Each src/href and every module import resolves here (no CDN, no missing module)."""
    html = client.get("/dashboard").text
    todo = [u for u in _page_urls(html) if not u.startswith("data:")]
    assert all(u.startswith("/dashboard/") for u in todo), todo
    seen: set[str] = set()
    while todo:
        url = todo.pop()
        if url in seen or url.startswith("/dashboard/vendor/"):
            continue
        seen.add(url)
        r = client.get(url)
        assert r.status_code == 200, url
        if url.endswith(".js"):
            assert r.headers["content-type"].startswith("text/javascript")
            for name in re.findall(r'from "\./([a-z0-9-]+\.js)"', r.text):
                todo.append(f"/dashboard/static/{name}")
            assert "http://" not in r.text and "https://" not in r.text, url
    assert "/dashboard/static/app.js" in seen and "/dashboard/static/roas.js" in seen


def test_only_the_dashboards_own_files_are_served(client: TestClient) -> None:
    for name in ("../routes.py", "..%2Froutes.py", "vendor.json", "dashboard.html", "nope.js"):
        assert client.get(f"/dashboard/static/{name}").status_code == 404, name
    assert client.get("/dashboard/vendor/chart.js").status_code == 404


def test_the_page_names_the_command_that_installs_the_chart_library(client: TestClient) -> None:
    html = client.get("/dashboard").text
    assert 'data-testid="vendor-missing"' in html and "make vendor-js" in html
    (lib,) = load_pins()
    assert f'src="/dashboard/vendor/{lib.file}"' in html


@pytest.fixture
def fake_pin(monkeypatch: pytest.MonkeyPatch) -> Iterator[Library]:
    """The served library pinned to a small fake file's digest (the real one is 200 KB from
    npm; the check is the same)."""
    (real,) = load_pins()
    fake = Library(**{**real.__dict__, "sha256": hashlib.sha256(FAKE_JS).hexdigest()})
    monkeypatch.setattr(dashboard_routes, "_pins", lambda: (fake,))
    yield fake


def _vendor_client(demo: Store, folder: Path) -> TestClient:
    settings = SellerApiSettings(vendor_dir=folder, rate_burst=10_000, rate_per_second=1000)
    return make_client(demo.engine, settings)


def test_the_vendored_library_is_served_while_it_matches_its_pin(
    demo: Store, tmp_path: Path, fake_pin: Library
) -> None:
    client = _vendor_client(demo, tmp_path)
    url = f"/dashboard/vendor/{fake_pin.file}"

    missing = client.get(url)
    assert missing.status_code == 404
    assert "make vendor-js" in missing.json()["detail"]

    (tmp_path / fake_pin.file).write_bytes(FAKE_JS)
    served = client.get(url)
    assert served.status_code == 200 and served.content == FAKE_JS
    assert served.headers["content-type"].startswith("text/javascript")

    (tmp_path / fake_pin.file).write_bytes(FAKE_JS + b"fetch('//evil.example');\n")
    changed = client.get(url)
    assert changed.status_code == 503
    assert "does not match the pinned chart.js@4.6.1" in changed.json()["detail"]
    assert "make vendor-js" in changed.json()["detail"]


def test_me_names_the_keys_seller_and_refuses_other_keys(client: TestClient, demo: Store) -> None:
    assert client.get("/v1/me", headers=demo.key("s001")).json() == {
        "seller_id": "s001", "name": "Jangbogi Mart",
    }  # fmt: skip
    assert client.get("/v1/me", headers=demo.key("s009")).json()["seller_id"] == "s009"
    assert client.get("/v1/me").status_code == 401
    assert client.get("/v1/me", headers={"X-API-Key": "jbk_wrong"}).status_code == 401
    with transaction(demo.engine) as s:
        issued = issue_api_key(s, "s002", label="dashboard test")
    assert client.get("/v1/me", headers={"X-API-Key": issued.secret}).status_code == 200
    with transaction(demo.engine) as s:
        revoke_api_key(s, issued.id)
    assert client.get("/v1/me", headers={"X-API-Key": issued.secret}).status_code == 401


def test_each_suggested_tag_says_why(client: TestClient, demo: Store) -> None:
    r = client.post(
        "/v1/tags/suggest", headers=demo.key("s001"), json={"title": "퍼실 파워젤 액체 세탁세제 3L"}
    )
    assert r.status_code == 200, r.text
    tags = r.json()["tags"]
    assert 0 < len(tags) <= 10
    for t in tags:
        assert len(t["tag"]) <= 10
        assert t["reason"].startswith(f"{t['search_volume']} searches")
        assert 0 <= t["type_share"] <= 1 and 0 <= t["conversion"] <= 1
    # The detergent's own words were chosen for the clicks they bring to detergent.
    assert any("liquid laundry detergent" in t["reason"] for t in tags), tags


def test_reason_lists_only_the_grounds_that_hold() -> None:
    weak = Tag("세제", 0.1, 12, 0.1, type_share=0.1, similarity=0.1, conversion=0.0)
    assert reason(weak, "liquid laundry detergent") == "12 searches"
    strong = Tag("세탁세제", 0.9, 140, 0.9, type_share=0.82, similarity=0.5, conversion=0.125)
    assert reason(strong, "liquid laundry detergent") == (
        "140 searches; 82% of their clicks went to liquid laundry detergent; "
        "close to your listing's words; 12% ended in a purchase"
    )


def test_the_loyal_audience_is_the_segment_the_suggestion_names(
    client: TestClient, demo: Store
) -> None:
    seen = set()
    for seller in ("s001", "s009", "s014"):
        body = client.get(
            "/v1/customers/loyal", headers=demo.key(seller), params={**FULL, "limit": 5}
        ).json()
        target = body["audience_segment"]
        seen.add(target)
        if target is None:
            assert "segment=" not in body["suggestion"]
            continue
        assert f"export segment={target}" in body["suggestion"]
        r = client.get(
            "/v1/customers/loyal",
            headers=demo.key(seller),
            params={**FULL, "segment": target, "format": "csv"},
        )
        rows = list(csv.DictReader(io.StringIO(r.text)))
        assert len(rows) == body["segments"][target] > 0
        assert {row["segment"] for row in rows} == {target}
    assert seen - {None}, seen
