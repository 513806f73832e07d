"""Spoken replies with espeak-ng (installed by `make sysdeps`), as one 16-bit mono WAV."""

from __future__ import annotations

import shutil
import struct
import subprocess

from assistant.voice.audio import to_wav

PAUSE_S = 0.3


class TtsUnavailable(RuntimeError):
    pass


def espeak_available() -> bool:
    return shutil.which("espeak-ng") is not None


def _pcm_of(wav: bytes) -> tuple[int, bytes]:
    """Samples of espeak-ng's streamed WAV (its header leaves the sizes unset)."""
    if wav[:4] != b"RIFF" or len(wav) < 44:
        raise TtsUnavailable("espeak-ng produced no audio")
    rate = struct.unpack_from("<I", wav, 24)[0]
    pos = 12
    while pos + 8 <= len(wav):
        cid, size = struct.unpack_from("<4sI", wav, pos)
        if cid == b"data":
            return rate, wav[pos + 8 :]
        pos += 8 + size + (size & 1)
    raise TtsUnavailable("espeak-ng produced no data chunk")


def synthesize(texts: list[str], voice: str, speed: int = 160, timeout_s: float = 20.0) -> bytes:
    """One WAV with every text spoken in turn (blocking: run it in a worker thread)."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise TtsUnavailable("espeak-ng is not installed (run `make sysdeps`)")
    rate = 22050
    chunks: list[bytes] = []
    for text in texts:
        if not text.strip():
            continue
        proc = subprocess.run(
            [exe, "-v", voice, "-s", str(speed), "--stdout", text],
            capture_output=True,
            timeout=timeout_s,
            check=False,
        )
        if proc.returncode != 0:
            raise TtsUnavailable(f"espeak-ng failed: {proc.stderr.decode(errors='replace')[:200]}")
        rate, pcm = _pcm_of(proc.stdout)
        if chunks:
            chunks.append(b"\0\0" * int(rate * PAUSE_S))
        chunks.append(pcm[: len(pcm) // 2 * 2])
    return to_wav(b"".join(chunks), rate)
