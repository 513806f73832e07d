"""``python -m nlu.rasa_run run ...``: Rasa's own ``rasa`` command (Rasa's environment), with the
action server's answers validated by a JSON Schema validator built once instead of per call.

Why: Rasa 3.6 checks every custom action's answer with ``jsonschema.validate(result, schema)``,
and ``validate`` first checks the *schema itself* against the JSON Schema metaschema. For Rasa's
event schema that takes 22 ms on this project's 2-core machines, against 0.6 ms for validating
the answer with a ready validator; every search or cart turn pays it once, a new shopper's first
turn once more (the session start is a custom action). Measured with py-spy on ``bench/chat.py``:
half of the Rasa server's time was this check. The answer is still validated against the same
schema and a bad one fails with Rasa's own message; only the repeated schema check goes.
"""

from __future__ import annotations

import functools
import logging
import sys
from typing import Any

log = logging.getLogger(__name__)

# Rasa's message when an answer does not fit (rasa/core/actions/action.py, 3.6).
INVALID_ANSWER = (
    ". Failed to validate Action server response from API, make sure your response from the "
    "Action endpoint is valid. For more information about the format visit "
)


@functools.cache
def response_validator() -> Any:
    """A validator for Rasa's action-response schema; the schema is checked here, once."""
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    from jsonschema import ValidationError
    from rasa.shared.constants import DOCS_BASE_URL

    try:
        response_validator().validate(result)
    except ValidationError as e:
        e.message += f"{INVALID_ANSWER}{DOCS_BASE_URL}/custom-actions"
        raise
    return True


def install() -> bool:
    """Swap in the cached validation; False (and Rasa's own, slower path) when this Rasa has no
    such method, so an upgrade degrades to speed, never to a crash."""
    from rasa.core.actions.action import RemoteAction

    if not callable(getattr(RemoteAction, "_validate_action_result", None)):
        log.warning("Rasa has no RemoteAction._validate_action_result: answers validated per call")
        return False
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    return True


def main() -> None:
    install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *sys.argv[1:]]
    rasa_main()


if __name__ == "__main__":
    main()
