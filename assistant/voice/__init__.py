"""Speech in and out: WAV checks, Vosk recognition biased to the catalog, espeak-ng replies."""
