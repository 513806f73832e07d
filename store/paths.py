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


def data_dir() -> Path:
    """The project's data files, kept in the repository so that a clone stands alone: the
    taxonomy (``taxonomy.yml``) and the evaluation data sets (``clinc150/``, ``completejourney/``).
    ``JANGBOGI_DATA_DIR`` points elsewhere."""
    return Path(os.environ.get("JANGBOGI_DATA_DIR", project_root() / "data")).resolve()


def _legacy_shared_dir() -> Path | None:
    """``JANGBOGI_SHARED_DIR``, an optional override kept from before the data moved into the
    repository: a folder with ``taxonomy.yml`` and ``data/<data set>/``. Never a default."""
    shared = os.environ.get("JANGBOGI_SHARED_DIR")
    return Path(shared).resolve() if shared else None


def dataset_dir(name: str) -> Path:
    """The folder of one evaluation data set (``clinc150``, ``completejourney``)."""
    shared = _legacy_shared_dir()
    return shared / "data" / name if shared else data_dir() / name


def taxonomy_file() -> Path:
    """``JANGBOGI_TAXONOMY`` when set, else ``taxonomy.yml`` in the data folder."""
    if explicit := os.environ.get("JANGBOGI_TAXONOMY"):
        return Path(explicit)
    shared = _legacy_shared_dir()
    return (shared or data_dir()) / "taxonomy.yml"


def clinc150_file() -> Path:
    """CLINC150's ``data_full.json`` (CC BY 3.0): the NLU's out-of-scope training data and its
    evaluation (splits and their rules: ``data/clinc150/README.md``)."""
    return dataset_dir("clinc150") / "data_full.json"


def default_database_url() -> str:
    return f"sqlite:///{var_dir() / 'jangbogi.db'}"


def database_url() -> str:
    """``DATABASE_URL`` when set (PostgreSQL in production), else the embedded SQLite file."""
    return os.environ.get("DATABASE_URL") or default_database_url()
