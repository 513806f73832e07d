"""Run by the Rasa venv (Python 3.10): a conversation saved through Rasa's SQL tracker store is
read back intact by a *new* store instance (as after a restart), and the Redis lock store locks.

Usage: python check_tracker_store.py TRACKER_URL [REDIS_HOST REDIS_PORT]
Prints one JSON line with what it observed; the pytest side asserts on it.
"""

from __future__ import annotations

import asyncio
import json
import sys
import uuid


async def main() -> dict:
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import ActionExecuted, BotUttered, UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    url = sys.argv[1]
    domain = Domain.from_yaml('version: "3.1"\nintents: [greet]')
    sender = f"restart-{uuid.uuid4().hex[:8]}"

    store = SQLTrackerStore(domain, host=url)
    tracker = DialogueStateTracker(sender, domain.slots)
    for event in (
        ActionExecuted("action_listen"),
        UserUttered("화장지 주세요", {"name": "greet", "confidence": 1.0}),
        BotUttered("네, 화장지를 찾아볼게요."),
    ):
        tracker.update(event)
    await store.save(tracker)
    store.engine.dispose()

    reopened = SQLTrackerStore(domain, host=url)  # a fresh process would do exactly this
    restored = await reopened.retrieve(sender)
    result = {
        "dialect": reopened.engine.dialect.name,
        "found": restored is not None,
        "texts": [e.text for e in restored.events if hasattr(e, "text")] if restored else [],
        "senders": sender in set(await reopened.keys()),
    }
    if len(sys.argv) > 3:
        from rasa.core.lock_store import RedisLockStore

        locks = RedisLockStore(host=sys.argv[2], port=sys.argv[3], db=1, key_prefix="jbtest")
        async with locks.lock(sender, wait_time_in_seconds=0.05):
            held = locks.get_lock(sender)  # read back from Redis, not from memory
            result["lock_held"] = held is not None and len(held.tickets) == 1
        result["lock_released"] = locks.get_lock(sender) is None
    return result


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main()), ensure_ascii=False))
