"""Run by the Rasa venv (Python 3.10): nlu/rasa_run.py's validation of action answers gives the
same verdicts as Rasa's own, with Rasa's message on a bad answer, and checks the schema itself
once instead of on every answer.

Prints one JSON line with what it observed; the pytest side asserts on it.
"""

from __future__ import annotations

import json

from jsonschema import ValidationError, validators
from rasa.core.actions.action import RemoteAction

from nlu import rasa_run

GOOD = [
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "last_results", "value": [3, 1, 2]},
            {"event": "slot", "name": "last_list", "value": "results"},
        ],
        "responses": [{"text": "1. 화장지", "custom": {"type": "products", "items": [{"id": 3}]}}],
    },
    {"events": [{"event": "session_started"}, {"event": "action", "name": "action_listen"}]},
]
BAD = [
    {"events": "not a list"},
    {"events": [{"name": "no event type"}]},
    {"responses": "not a list"},
    {"events": [{"event": "slot", "name": 5}]},
]


def verdicts(validate) -> list[str]:
    out = []
    for answer in GOOD + BAD:
        try:
            out.append("ok" if validate(answer) else "false")
        except ValidationError as e:
            out.append("error: " + e.message)
    return out


def main() -> dict:
    action = RemoteAction("action_x", None)
    rasa_own = verdicts(action._validate_action_result)
    schema_class = validators.validator_for(RemoteAction.action_response_format_spec())
    checks = {"n": 0}
    original = schema_class.check_schema.__func__

    def counting(cls, schema, *args, **kwargs):
        checks["n"] += 1
        return original(cls, schema, *args, **kwargs)

    schema_class.check_schema = classmethod(counting)
    verdicts(action._validate_action_result)
    checks_rasa = checks["n"]
    checks["n"] = 0
    installed = rasa_run.install()
    ours = verdicts(action._validate_action_result)
    ours_again = verdicts(RemoteAction("action_y", None)._validate_action_result)
    return {
        "installed": installed,
        "n_good": len(GOOD),
        "rasa": rasa_own,
        "ours": ours,
        "ours_again": ours_again,
        "schema_checks_rasa": checks_rasa,
        "schema_checks_ours": checks["n"],
    }


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False))
