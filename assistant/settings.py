"""Gateway settings (environment variables prefixed JANGBOGI_)."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JANGBOGI_")

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_s: float = 30.0
