"""Where the project's files live, resolved once from the source checkout."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def project_root() -> Path:
    """The checkout root: ``JANGBOGI_HOME`` when set, else the folder holding ``store/``."""
    return Path(os.environ.get("JANGBOGI_HOME", PROJECT_ROOT)).resolve()


def var_dir() -> Path:
    """Generated state (SQLite files, index, credentials); ``JANGBOGI_VAR_DIR`` overrides."""
    return Path(os.environ.get("JANGBOGI_VAR_DIR", project_root() / "var")).resolve()


def shared_dir() -> Path:
    """The shared folder beside the checkout (taxonomy, evaluation data)."""
    return Path(os.environ.get("JANGBOGI_SHARED_DIR", project_root().parent / "shared")).resolve()


def default_database_url() -> str:
    return f"sqlite:///{var_dir() / 'jangbogi.db'}"


def database_url() -> str:
    """``DATABASE_URL`` when set (PostgreSQL in production), else the embedded SQLite file."""
    return os.environ.get("DATABASE_URL") or default_database_url()
