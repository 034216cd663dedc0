"""Workflows kept alive between steps, so the next step of a case skips restoring it from JSON.

An entry is keyed by the version and a digest of the exact state text it was dumped to: it can
only be used for a step that starts from that very state, so a stale entry (the step's transaction
rolled back, another worker moved the case on) is never used, just never hit. Taking an entry
removes it, so two threads never share one workflow; the step puts the workflow back under its
new state once it has dumped it. Bounded (least recently used goes first), per process.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Any


def _key(version_id: int, state: str) -> tuple[int, bytes]:
    return version_id, hashlib.blake2b(state.encode(), digest_size=20).digest()


class LiveWorkflows:
    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._entries: OrderedDict[tuple[int, bytes], Any] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def take(self, version_id: int, state: str) -> Any | None:
        """The live workflow whose dump is ``state``, now owned by the caller; None when not kept."""
        if self._capacity <= 0:
            return None
        key = _key(version_id, state)
        with self._lock:
            workflow = self._entries.pop(key, None)
            if workflow is None:
                self.misses += 1
            else:
                self.hits += 1
            return workflow

    def keep(self, version_id: int, state: str, workflow: Any) -> None:
        """Keep ``workflow``, whose dump is ``state``; the caller must not touch it afterwards."""
        if self._capacity <= 0:
            return
        key = _key(version_id, state)
        with self._lock:
            self._entries[key] = workflow
            self._entries.move_to_end(key)
            while len(self._entries) > self._capacity:
                self._entries.popitem(last=False)

    def __len__(self) -> int:
        return len(self._entries)
