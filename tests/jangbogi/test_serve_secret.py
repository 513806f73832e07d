"""`jangbogi serve`'s Rasa secret: a configured JANGBOGI_RASA_JWT_SECRET is used, a short or
placeholder one stops `jangbogi serve` at once with a message that does not echo it, an unset one
becomes a random secret per run; it reaches Rasa and the gateway, and the action server a token
derived from it, only through their environments (never a command line), and Rasa's HTTP API,
whose JWT secret would have to go on the command line, stays off."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from jangbogi.cli import app
from jangbogi.serve import Service, action_token, build_services, start
from jangbogi.settings import ServeSettings

GOOD = "Zq8vN2rT-kLw5yXb7HcPj4sEa9Gd3Mf6Ru1Vt0Qo"


@pytest.mark.parametrize(
    ("secret", "words"),
    [
        ("tooshort", "8 characters, under 32"),
        ("changeme-changeme-changeme-changeme-42", "looks like a placeholder"),
        ("your-jwt-secret-goes-here-0123456789abc", "looks like a placeholder"),
        ("a" * 40, "looks like a placeholder"),
    ],
)
def test_weak_secret_is_refused_naming_the_fix(
    monkeypatch: pytest.MonkeyPatch, secret: str, words: str
) -> None:
    monkeypatch.setenv("JANGBOGI_RASA_JWT_SECRET", secret)
    with pytest.raises(ValidationError) as exc:
        ServeSettings()
    assert words in str(exc.value) and "secrets.token_urlsafe" in str(exc.value)


def test_serve_stops_at_once_on_a_weak_secret_without_echoing_it() -> None:
    secret = "changeme-please-0123456789-abcdefghij"
    result = CliRunner().invoke(app, ["serve"], env={"JANGBOGI_RASA_JWT_SECRET": secret})
    assert result.exit_code == 1
    assert "JANGBOGI_RASA_JWT_SECRET looks like a placeholder" in result.output
    assert secret not in result.output and "starting" not in result.output


def test_empty_secret_is_unset_and_a_good_one_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JANGBOGI_RASA_JWT_SECRET", "")
    assert ServeSettings().rasa_jwt_secret is None
    monkeypatch.setenv("JANGBOGI_RASA_JWT_SECRET", GOOD)
    configured = ServeSettings().rasa_jwt_secret
    assert configured is not None and configured.get_secret_value() == GOOD


def _envs(settings: ServeSettings) -> tuple[dict[str, dict[str, str]], list[str]]:
    services = build_services(settings)
    return {s.name: s.env for s in services}, [arg for s in services for arg in s.argv]


def test_secret_reaches_rasa_gateway_and_actions_through_their_environments(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("JANGBOGI_RASA_JWT_SECRET", raising=False)
    envs, argv = _envs(ServeSettings())
    secret = envs["rasa"]["JANGBOGI_RASA_JWT_SECRET"]
    assert len(secret) >= 32 and envs["gateway"]["JANGBOGI_RASA_JWT_SECRET"] == secret
    token = envs["actions"]["JANGBOGI_ACTION_TOKEN"]
    assert token == envs["rasa"]["JANGBOGI_ACTION_TOKEN"] == action_token(secret) != secret
    assert "JANGBOGI_RASA_JWT_SECRET" not in envs["actions"]  # it never signs chat turns
    assert not any(secret in arg or token in arg for arg in argv)
    assert "--enable-api" not in argv
    again, _ = _envs(ServeSettings())  # a new run, a new secret
    assert again["rasa"]["JANGBOGI_RASA_JWT_SECRET"] != secret


def test_configured_secret_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("JANGBOGI_RASA_JWT_SECRET", GOOD)
    envs, _ = _envs(ServeSettings())
    assert envs["rasa"]["JANGBOGI_RASA_JWT_SECRET"] == envs["gateway"]["JANGBOGI_RASA_JWT_SECRET"]
    assert envs["gateway"]["JANGBOGI_RASA_JWT_SECRET"] == GOOD
    assert envs["actions"]["JANGBOGI_ACTION_TOKEN"] == action_token(GOOD)


def test_a_service_gets_only_the_secrets_it_declares(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Set in the supervisor's own environment, the secrets still reach only the services that
    declare them: here a service declaring only the action token (as the action server does)."""
    monkeypatch.setenv("JANGBOGI_RASA_JWT_SECRET", GOOD)
    monkeypatch.setenv("JANGBOGI_ACTION_TOKEN", "from-the-supervisor-environment")
    probe = ("import os; print({k: v for k, v in os.environ.items() "
             "if k in ('JANGBOGI_RASA_JWT_SECRET', 'JANGBOGI_ACTION_TOKEN')})")  # fmt: skip
    service = Service(
        "probe", [sys.executable, "-c", probe], "", "", {"JANGBOGI_ACTION_TOKEN": "t"}
    )
    start(service, tmp_path)
    assert service.process is not None and service.process.wait(timeout=60) == 0
    assert (tmp_path / "probe.log").read_text().strip() == "{'JANGBOGI_ACTION_TOKEN': 't'}"
