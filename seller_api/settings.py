"""Settings of the seller API (environment variables prefixed ``SELLER_API_``).

The database URL is the store's own (``DATABASE_URL``, see :mod:`store.paths`); nothing here is a
secret: API keys live hashed in the store.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SellerApiSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SELLER_API_")

    # Request bodies above this are refused with 413 before they are read into memory.
    max_body_bytes: int = Field(default=256 * 1024, ge=1024)
    # Token bucket per API key: a sustained rate and a burst.
    rate_per_second: float = Field(default=10.0, gt=0)
    rate_burst: int = Field(default=40, ge=1)
    # Redis shared by the replicas for the per-key budget (the same ``JANGBOGI_REDIS_URL`` that
    # gives Rasa its lock store); unset: each process keeps its own buckets.
    redis_url: str | None = Field(default=None, validation_alias="JANGBOGI_REDIS_URL")
    # Date ranges: the longest an analytics query may cover, and the default length.
    max_range_days: int = Field(default=366, ge=1)
    default_range_days: int = Field(default=30, ge=1)
    # Co-purchases: a pair counts only when at least this many orders hold both products.
    min_support: int = Field(default=3, ge=1)
    # Tag statistics: searches of the last N days before the newest search in the log.
    tag_window_days: int = Field(default=90, ge=1)
    # A tag (search term) is shown only when this many searches used it (no rare, identifying
    # queries leave the platform).
    min_tag_searches: int = Field(default=5, ge=1)
    # Inferred lifestyle is reported only for groups of at least this many buyers.
    min_cohort: int = Field(default=5, ge=1)
    # How long cached platform-wide statistics (tag stats, lifestyle model) are reused.
    cache_ttl_s: float = Field(default=600.0, ge=0)
    # Where `jangbogi lifestyle train` saves the lifestyle model (default: the var dir's
    # `lifestyle/`); the API loads it from here.
    lifestyle_model_dir: Path | None = None
    # Where `make vendor-js` put the dashboard's Chart.js (default: the var dir's `vendor/`).
    vendor_dir: Path | None = None


@lru_cache(maxsize=1)
def get_settings() -> SellerApiSettings:
    """One settings object per process, read on first use (never at import time)."""
    return SellerApiSettings()
