"""rasa-sdk actions: thin translators between the Rasa tracker and the store/retrieval services."""
