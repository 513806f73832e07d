"""The `jangbogi` command: seeding, status, credentials, search, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from jangbogi.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    var = tmp_path_factory.mktemp("var")
    url = f"sqlite:///{var / 'demo.db'}"
    env = {"JANGBOGI_VAR_DIR": str(var)}
    result = runner.invoke(
        app, ["seed-demo", "--shoppers", "60", "--days", "30", "--database-url", url], env=env
    )
    assert result.exit_code == 0, result.output
    return url, var


def _run(args: list[str], var: Path) -> tuple[int, str]:
    # The seller API tests point saved lifestyle models elsewhere for the whole session; these
    # tests check the default place, under the var dir, whichever tests ran first.
    env = {"JANGBOGI_VAR_DIR": str(var), "SELLER_API_LIFESTYLE_MODEL_DIR": None}
    result = runner.invoke(app, args, env=env)
    return result.exit_code, result.output


def test_status_reports_counts(seeded: tuple[str, Path]) -> None:
    url, var = seeded
    code, output = _run(["status", "--json", "--database-url", url], var)
    assert code == 0
    report = json.loads(output)
    assert report["shoppers"] == 60
    assert report["products"] >= 1500 and report["types_covered"] == 74
    assert report["sellers"] >= 25 and report["orders"] > 0 and report["events"] > 0
    assert report["schema_up_to_date"] is True
    assert report["demo_config"]["n_shoppers"] == 60
    assert {"rasa_model", "search_index"} <= report.keys()


def test_seed_is_skipped_when_up_to_date(seeded: tuple[str, Path]) -> None:
    url, var = seeded
    code, output = _run(
        ["seed-demo", "--shoppers", "60", "--days", "30", "--if-stale", "--database-url", url], var
    )
    assert code == 0 and "up to date" in output


def test_demo_credentials_work_and_are_private(seeded: tuple[str, Path]) -> None:
    url, var = seeded
    path = var / "demo-credentials.json"
    creds = json.loads(path.read_text())
    assert path.stat().st_mode & 0o077 == 0  # owner-only
    assert creds["devices"] and creds["sellers"]
    from store.db import create_store_engine, transaction
    from store.repo.credentials import seller_for_api_key, shopper_for_device_token

    engine = create_store_engine(url)
    with transaction(engine) as s:
        first = creds["sellers"][0]
        assert seller_for_api_key(s, first["api_key"]) == first["seller_id"]
        device = creds["devices"][0]
        assert shopper_for_device_token(s, device["token"]) == device["shopper_id"]


def test_seller_keys_and_devices_lifecycle(seeded: tuple[str, Path]) -> None:
    url, var = seeded
    code, output = _run(["sellers", "create", "s-new", "New Shop", "--database-url", url], var)
    assert code == 0
    issued = json.loads(output)
    code, output = _run(["sellers", "keys", "--seller-id", "s-new", "--database-url", url], var)
    assert "active" in output and issued["api_key"] not in output  # never printed again
    code, _ = _run(["sellers", "revoke-key", str(issued["key_id"]), "--database-url", url], var)
    assert code == 0
    code, output = _run(["sellers", "keys", "--seller-id", "s-new", "--database-url", url], var)
    assert "revoked" in output
    code, output = _run(["devices", "add", "u00001", "--database-url", url], var)
    device = json.loads(output)
    code, _ = _run(["devices", "revoke", str(device["device_id"]), "--database-url", url], var)
    assert code == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["sellers", "revoke-key", "99999"], "API key 99999 not found"),
        (["devices", "revoke", "99999"], "device 99999 not found"),
        (["sellers", "issue-key", "nobody"], "seller 'nobody' does not exist"),
        (["search"], "give a query or --batch FILE"),
    ],
)
def test_errors_are_one_clear_line(seeded: tuple[str, Path], args: list[str], message: str) -> None:
    url, var = seeded
    code, output = _run([*args, "--database-url", url], var)
    assert code == 1
    assert message in output and "Traceback" not in output
    assert len(output.strip().splitlines()) == 1


def test_import_of_a_missing_folder_fails_clearly(tmp_path: Path) -> None:
    code, output = _run(
        ["import-completejourney", str(tmp_path / "nope"), "--database-url",
         f"sqlite:///{tmp_path / 'cj.db'}"],
        tmp_path,
    )  # fmt: skip
    assert code == 1 and "nope" in output and "Traceback" not in output


def test_lifestyle_train_saves_the_model_and_skips_when_fresh(seeded: tuple[str, Path]) -> None:
    url, var = seeded
    code, output = _run(["lifestyle", "train", "--if-stale", "--database-url", url], var)
    assert code == 0, output
    assert "balanced accuracy" in output and "trained in" in output
    saved = list((var / "lifestyle").glob("model-*.pkl"))
    assert len(saved) == 1 and saved[0].with_suffix(".json").exists()
    code, output = _run(["lifestyle", "train", "--if-stale", "--database-url", url], var)
    assert code == 0 and "up to date" in output


def test_status_tells_whether_the_lifestyle_model_is_fresh(seeded: tuple[str, Path]) -> None:
    """Untrained, then fresh after `jangbogi lifestyle train`, then stale once the store has a new
    shopper (on a scratch copy of the seeded store, so the other tests keep theirs)."""
    from store.db import get_engine, transaction
    from store.repo.shoppers import get_or_create_shopper
    from tests.stack import scratch_store

    url, var = seeded
    with scratch_store({"JANGBOGI_VAR_DIR": str(var), "DATABASE_URL": url}) as env:
        copy, scratch = env["DATABASE_URL"], Path(env["JANGBOGI_VAR_DIR"])

        def lifestyle_status() -> dict:
            code, output = _run(["status", "--json", "--database-url", copy], scratch)
            assert code == 0, output
            return json.loads(output)["lifestyle_model"]

        assert lifestyle_status() == {"path": None, "trained": False, "fresh": False}
        code, output = _run(["lifestyle", "train", "--database-url", copy], scratch)
        assert code == 0, output
        trained = lifestyle_status()
        assert trained["trained"] is True and trained["fresh"] is True
        assert trained["path"].startswith(str(scratch / "lifestyle"))
        assert 0.0 <= trained["held_out_balanced_accuracy"]["married"] <= 1.0

        engine = get_engine(copy)
        with transaction(engine) as session:
            get_or_create_shopper(session, "new-shopper-after-training")
        engine.dispose()
        stale = lifestyle_status()
        assert stale["trained"] is True and stale["fresh"] is False
