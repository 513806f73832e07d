"""Wrappers of the services the actions call (as in Rasa's Sara demo): one place to create each
service once per process, lazily, never at import time."""
