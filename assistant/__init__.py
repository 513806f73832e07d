"""The shoppers' gateway: voice in (Vosk), device auth, forwards text to Rasa, web chat page."""
