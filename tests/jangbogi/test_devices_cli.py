"""`jangbogi devices add ID`: an id the store does not know becomes a new, cold-start shopper (and
the command says so), so tools and tests can open fresh conversations through the gateway; a
known shopper just gets another device."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from jangbogi.cli import app

runner = CliRunner()


def _add(shopper: str, url: str, var: Path) -> tuple[int, str, str]:
    result = runner.invoke(
        app, ["devices", "add", shopper, "--database-url", url], env={"JANGBOGI_VAR_DIR": str(var)}
    )
    return result.exit_code, result.stdout, result.stderr


def test_unknown_shopper_is_registered_cold_start(tmp_path: Path) -> None:
    from store.db import create_store_engine, transaction
    from store.migrate import upgrade
    from store.models import Shopper
    from store.repo.credentials import shopper_for_device_token

    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = create_store_engine(url)
    upgrade(engine)
    code, out, err = _add("fresh-shopper", url, tmp_path)
    assert code == 0, err
    first = json.loads(out.strip().splitlines()[-1])
    assert first["shopper_id"] == "fresh-shopper" and first["new_shopper"] is True
    assert "registered new shopper 'fresh-shopper'" in err and "cold start" in err
    code, out, err = _add("fresh-shopper", url, tmp_path)  # known now: just another device
    second = json.loads(out.strip().splitlines()[-1])
    assert code == 0 and second["new_shopper"] is False and "registered" not in err
    with transaction(engine) as s:
        assert s.get(Shopper, "fresh-shopper") is not None
        assert shopper_for_device_token(s, first["token"]) == "fresh-shopper"
        assert shopper_for_device_token(s, second["token"]) == "fresh-shopper"
    engine.dispose()


def test_invalid_shopper_id_is_one_clear_line(tmp_path: Path) -> None:
    from store.db import create_store_engine
    from store.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'store.db'}"
    engine = create_store_engine(url)
    upgrade(engine)
    engine.dispose()
    code, out, err = _add("x" * 65, url, tmp_path)
    assert code == 1 and "shopper id must be 1-64 characters" in err and out == ""
