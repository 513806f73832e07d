"""`jangbogi serve` is the one-machine demo: its gateway runs in demo mode (the shopper page's
`/?shopper=` works) unless JANGBOGI_DEMO_MODE=0 says otherwise; the gateway alone defaults to off."""

from __future__ import annotations

import pytest

from assistant.settings import GatewaySettings
from jangbogi.serve import build_services
from jangbogi.settings import ServeSettings


def gateway_env() -> dict[str, str]:
    (gateway,) = [s for s in build_services(ServeSettings()) if s.name == "gateway"]
    return gateway.env


def test_serve_turns_demo_mode_on_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JANGBOGI_DEMO_MODE", raising=False)
    assert gateway_env()["JANGBOGI_DEMO_MODE"] == "1"
    monkeypatch.setenv("JANGBOGI_DEMO_MODE", "1")
    assert GatewaySettings().demo_mode is True


@pytest.mark.parametrize("value", ["0", "false"])
def test_demo_mode_can_be_turned_off(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("JANGBOGI_DEMO_MODE", value)
    assert gateway_env()["JANGBOGI_DEMO_MODE"] == "0"
    assert GatewaySettings().demo_mode is False


def test_a_gateway_run_on_its_own_is_not_in_demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JANGBOGI_DEMO_MODE", raising=False)
    assert GatewaySettings().demo_mode is False
