"""What both voice endpoints share: decode, keep the grammar fresh, ask Rasa, say "didn't catch"."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from typing import Any

from assistant.rasa_client import RasaClient
from assistant.voice.audio import Pcm
from assistant.voice.recognizer import SpeechEngine, Transcript, Utterance, interpret, joined

log = logging.getLogger(__name__)

LANGUAGES = ("ko", "en")
DIDNT_CATCH = {
    "ko": "죄송해요, 잘 못 들었어요. 다시 말씀해 주세요.",
    "en": "Sorry, I didn't catch that. Could you say it again?",
}


class VoiceService:
    def __init__(
        self,
        engine: SpeechEngine,
        rasa: RasaClient,
        *,
        catalog_version: Callable[[], object] | None = None,
        check_every_s: float = 60.0,
    ) -> None:
        self.engine = engine
        self.rasa = rasa
        self.catalog_version = catalog_version
        self.check_every_s = check_every_s
        self._seen_version: dict[str, object] = {}
        self._checked_at: dict[str, float] = {}
        self._rebuilding: set[str] = set()

    async def utterance(self, language: str, sample_rate: int) -> Utterance:
        """A fresh recogniser (loads the language's model on first use)."""
        lm = await self.engine.run(self.engine.model, language)
        await self._maybe_refresh(language)
        return Utterance(lm, sample_rate, self.engine.min_conf)

    async def _maybe_refresh(self, language: str) -> None:
        """Rebuild the grammar in the background when the catalog changed since it was built."""
        if self.catalog_version is None or language in self._rebuilding:
            return
        now = time.monotonic()
        if now - self._checked_at.get(language, 0.0) < self.check_every_s:
            return
        self._checked_at[language] = now
        version = await self.engine.run(self.catalog_version)
        previous = self._seen_version.setdefault(language, version)
        if version == previous:
            return
        self._rebuilding.add(language)

        async def rebuild() -> None:
            try:
                await asyncio.to_thread(self.engine.rebuild, language)
                self._seen_version[language] = version
                log.info("%s grammar rebuilt for catalog %s", language, version)
            except Exception:
                log.exception("rebuilding the %s grammar failed; keeping the old one", language)
            finally:
                self._rebuilding.discard(language)

        asyncio.get_running_loop().create_task(rebuild())

    async def transcribe(self, pcm: Pcm, language: str) -> Transcript:
        utt = await self.utterance(language, pcm.sample_rate)

        def decode() -> Transcript:
            # Keep every segment the recogniser closes on the way: with trailing silence (every
            # recording someone stops by hand) the words are in one that closed before the end.
            segments = []
            for i in range(0, len(pcm.data), 16000):
                out = utt.accept(pcm.data[i : i + 16000])
                if "result" in out or "text" in out:
                    segments.append(interpret(out, utt.lm, utt.min_conf))
            segments.append(utt.finish()[1])
            return joined(segments)

        return await self.engine.run(decode)

    async def reply(
        self, sender: str, transcript: Transcript, language: str
    ) -> list[dict[str, Any]]:
        """Rasa's replies, or the "didn't catch that" reply when nothing was understood."""
        if not transcript.text.strip():
            return [{"recipient_id": sender, "text": DIDNT_CATCH[language]}]
        return await self.rasa.send(sender, transcript.text)
