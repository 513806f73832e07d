"""WAV upload checks: only 16-bit mono PCM at 8 or 16 kHz reaches the recogniser.

Uploads may be 16-bit PCM at 8–48 kHz, mono or stereo: a browser records at its sound card's rate
(44.1 or 48 kHz) and some devices in stereo, so the gateway downmixes to mono and resamples to
16 kHz (8 kHz stays as it is) rather than refuse them. Every rejection names the problem, because a
smart-speaker developer reading a 422 needs to know whether to fix the channel count, the sample
width or the rate. Limits are checked on the header before the samples are touched, so an oversize
upload costs no decoding.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

SAMPLE_RATES = (8000, 16000)  # what the recogniser decodes (and streams must send)
UPLOAD_RATES = (8000, 48000)  # the range an upload may have; others are resampled to 16 kHz
MAX_CHANNELS = 2
WAVE_FORMAT_PCM = 0x0001
WAVE_FORMAT_EXTENSIBLE = 0xFFFE
# KSDATAFORMAT_SUBTYPE_PCM: the GUID an extensible header carries for plain PCM.
PCM_SUBFORMAT = bytes.fromhex("0100000000001000800000aa00389b71")
FORMAT_NAMES = {0x0003: "IEEE float", 0x0006: "A-law", 0x0007: "µ-law", 0x0011: "IMA ADPCM",
                0x0002: "MS ADPCM", 0x0055: "MP3"}  # fmt: skip


class AudioError(ValueError):
    """Audio the gateway refuses; ``status`` is the HTTP status to answer with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Pcm:
    """Signed 16-bit little-endian mono samples."""

    sample_rate: int
    data: bytes

    @property
    def seconds(self) -> float:
        return len(self.data) / 2 / self.sample_rate


def check_stream_rate(rate: object) -> int:
    """The sample rate a stream announces in its config message."""
    if isinstance(rate, bool) or not isinstance(rate, int | float) or int(rate) != rate:
        raise AudioError(422, f"sample_rate must be 8000 or 16000, got {rate!r}")
    if int(rate) not in SAMPLE_RATES:
        raise AudioError(422, f"sample rate {int(rate)} Hz is not supported (8000 or 16000)")
    return int(rate)


def parse_wav(body: bytes, *, max_bytes: int, max_seconds: float) -> Pcm:
    """Validate a RIFF/WAVE upload and return its samples, or raise :class:`AudioError`."""
    if len(body) > max_bytes:
        raise AudioError(413, f"audio is {len(body)} bytes; the limit is {max_bytes} bytes")
    if len(body) < 12 or body[:4] != b"RIFF" or body[8:12] != b"WAVE":
        raise AudioError(422, "not a WAV file (no RIFF/WAVE header)")
    fmt: bytes | None = None
    data: bytes | None = None
    declared_data = 0
    pos = 12
    while pos + 8 <= len(body):
        chunk_id, size = struct.unpack_from("<4sI", body, pos)
        start = pos + 8
        if chunk_id == b"fmt ":
            fmt = body[start : start + size]
            if len(fmt) < 16:
                raise AudioError(422, "truncated WAV: the fmt chunk is incomplete")
        elif chunk_id == b"data":
            declared_data = size
            data = body[start : start + size]
            break
        pos = start + size + (size & 1)  # chunks are word-aligned
    if fmt is None:
        raise AudioError(422, "malformed WAV: no fmt chunk before the data")
    if data is None:
        raise AudioError(422, "truncated WAV: no data chunk")
    tag, channels, rate, _byte_rate, block_align, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == WAVE_FORMAT_EXTENSIBLE and len(fmt) >= 40 and fmt[24:40] == PCM_SUBFORMAT:
        tag = WAVE_FORMAT_PCM
    if tag != WAVE_FORMAT_PCM:
        name = FORMAT_NAMES.get(tag, f"format tag 0x{tag:04x}")
        raise AudioError(422, f"compressed or non-PCM audio ({name}); send 16-bit PCM")
    if not 1 <= channels <= MAX_CHANNELS:
        raise AudioError(422, f"audio has {channels} channels; send mono or stereo")
    if bits != 16:
        raise AudioError(422, f"audio is {bits}-bit; send 16-bit samples")
    low, high = UPLOAD_RATES
    if not low <= rate <= high:
        raise AudioError(422, f"sample rate {rate} Hz is not supported ({low}–{high} Hz)")
    if block_align != 2 * channels:
        raise AudioError(422, f"malformed WAV: block align {block_align} for 16-bit, {channels} ch")
    # Streaming writers (espeak-ng --stdout, arecord) leave the size at 0 or 0xFFFFFFFF: accept
    # what is there. A declared size the body falls short of is a cut-off upload.
    if declared_data not in (0, 0xFFFFFFFF) and len(data) < declared_data:
        raise AudioError(
            422, f"truncated WAV: header declares {declared_data} data bytes, got {len(data)}"
        )
    if declared_data in (0, 0xFFFFFFFF):
        data = body[pos + 8 :]
    data = data[: len(data) // block_align * block_align]
    seconds = len(data) / block_align / rate
    if seconds > max_seconds:
        raise AudioError(413, f"audio is {seconds:.1f} s long; the limit is {max_seconds:g} s")
    return to_recogniser(data, rate, channels)


def to_recogniser(data: bytes, rate: int, channels: int) -> Pcm:
    """16-bit samples as the recogniser takes them: mono (channels averaged), at 8 or 16 kHz
    (any other rate resampled to 16 kHz with a polyphase filter, which also band-limits it)."""
    if channels == 1 and rate in SAMPLE_RATES:
        return Pcm(rate, data)
    from math import gcd

    import numpy as np
    from scipy.signal import resample_poly

    samples = np.frombuffer(data, dtype="<i2").astype(np.float64).reshape(-1, channels).mean(axis=1)
    target = rate if rate in SAMPLE_RATES else 16000
    if target != rate:
        step = gcd(target, rate)
        samples = resample_poly(samples, target // step, rate // step)
    return Pcm(target, np.clip(np.rint(samples), -32768, 32767).astype("<i2").tobytes())


def rms(data: bytes) -> float:
    """Root mean square of 16-bit samples (0 for no samples)."""
    import numpy as np

    if len(data) < 2:
        return 0.0
    samples = np.frombuffer(data[: len(data) // 2 * 2], dtype="<i2").astype(np.float64)
    return float(np.sqrt(np.mean(samples**2)))


def is_silent(pcm: Pcm, threshold: float = 60.0) -> bool:
    """No speech worth decoding: nothing, or a signal below ~-55 dBFS throughout."""
    return pcm.seconds < 0.1 or rms(pcm.data) < threshold


def to_wav(data: bytes, sample_rate: int) -> bytes:
    """Wrap 16-bit mono PCM in a WAV header."""
    header = struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF", 36 + len(data), b"WAVE", b"fmt ", 16, WAVE_FORMAT_PCM, 1, sample_rate,
        sample_rate * 2, 2, 16, b"data", len(data),
    )  # fmt: skip
    return header + data
