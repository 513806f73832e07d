"""WAV checks: every malformed or unsupported upload is named precisely, before any decoding."""

from __future__ import annotations

import struct

import pytest

from assistant.voice.audio import AudioError, Pcm, is_silent, parse_wav, to_wav

LIMITS = {"max_bytes": 1 << 20, "max_seconds": 20.0}


def wav(
    channels: int = 1, rate: int = 16000, bits: int = 16, tag: int = 1, data: bytes = b"\0\1" * 800
) -> bytes:
    block = channels * bits // 8
    fmt = struct.pack("<HHIIHH", tag, channels, rate, rate * block, block, bits)
    return (
        b"RIFF"
        + struct.pack("<I", 36 + len(data))
        + b"WAVE"
        + b"fmt "
        + struct.pack("<I", 16)
        + fmt
        + b"data"
        + struct.pack("<I", len(data))
        + data
    )


def test_accepts_16_bit_mono_at_8_and_16_khz() -> None:
    for rate in (8000, 16000):
        pcm = parse_wav(wav(rate=rate), **LIMITS)
        assert pcm.sample_rate == rate and len(pcm.data) == 1600


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        (b"", 422, "not a WAV"),
        (b"ID3\x04 mp3 bytes", 422, "not a WAV"),
        (wav(channels=3), 422, "3 channels; send mono or stereo"),
        (wav(bits=8), 422, "8-bit"),
        (wav(tag=7), 422, "µ-law"),
        (wav(tag=0x55), 422, "MP3"),
        (wav(tag=3, bits=32), 422, "IEEE float"),
        (wav(rate=96000), 422, "96000 Hz is not supported (8000–48000 Hz)"),
        (wav(rate=6000), 422, "6000 Hz"),
        (
            wav(channels=2, rate=8000, data=b"\0" * 4 * 8000 * 21),
            413,
            "21.0 s long; the limit is 20 s",
        ),
        (wav()[:30], 422, "fmt chunk"),
        (wav()[:40], 422, "no data chunk"),
        (wav(data=b"\0" * 1000)[:-100], 422, "truncated"),
        (b"RIFF\x10\x00\x00\x00WAVEdata\x00\x00\x00\x00", 422, "no fmt chunk"),
        (to_wav(b"\0\0" * 16000 * 21, 16000), 413, "limit is 20 s"),
        (b"RIFF" + b"\0" * (1 << 20), 413, "limit is 1048576 bytes"),
    ],
)
def test_rejects_with_a_message_naming_the_problem(body: bytes, status: int, words: str) -> None:
    with pytest.raises(AudioError) as info:
        parse_wav(body, **LIMITS)
    assert info.value.status == status
    assert words in info.value.message


def test_streamed_header_without_sizes_is_read_to_the_end() -> None:
    body = bytearray(wav(data=b"\1\0" * 100))
    struct.pack_into("<I", body, 40, 0xFFFFFFFF)  # what espeak-ng --stdout writes
    assert len(parse_wav(bytes(body), **LIMITS).data) == 200


def test_silence_detection() -> None:
    assert is_silent(Pcm(16000, b""))
    assert is_silent(Pcm(16000, b"\0\0" * 16000))
    assert not is_silent(
        Pcm(16000, struct.pack("<h", 3000) * 8000 + struct.pack("<h", -3000) * 8000)
    )


@pytest.mark.parametrize(("rate", "channels"), [(44100, 1), (48000, 2), (22050, 2), (16000, 2)])
def test_browser_rates_and_stereo_become_16_khz_mono(rate: int, channels: int) -> None:
    """What a browser records (44.1/48 kHz, sometimes stereo) reaches the recogniser as 16 kHz
    mono with its length and its pitch kept; the channels are averaged."""
    import numpy as np

    t = np.arange(rate) / rate  # one second
    left = 8000 * np.sin(2 * np.pi * 440 * t)
    right = left if channels == 1 else np.zeros_like(left)  # stereo: the mean halves it
    frames = np.stack([left, right][:channels], axis=1).astype("<i2").tobytes()
    pcm = parse_wav(wav(channels=channels, rate=rate, data=frames), **LIMITS)
    assert pcm.sample_rate == 16000 and abs(len(pcm.data) / 2 - 16000) <= 1
    samples = np.frombuffer(pcm.data, dtype="<i2").astype(float)
    spectrum = np.abs(np.fft.rfft(samples))
    assert abs(np.argmax(spectrum) * 16000 / len(samples) - 440) < 2
    expected_peak = 8000 if channels == 1 else 4000
    assert abs(np.abs(samples[1000:-1000]).max() - expected_peak) < expected_peak * 0.05
