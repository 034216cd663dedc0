"""What the services announce after a commit, as blinker signals (the one way listeners are wired).

Each is sent with the ``ServiceContext`` as sender, so a listener connects to the context it
serves (``timers_changed.connect(receiver, sender=ctx)``) and never hears another application's
cases — tests run many apps in one process, and the demo's replay in the past uses a context of
its own that nobody listens to.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# ``due``: the earliest waiting timer of what changed (None: none) — the alarm clock re-arms.
timers_changed = _signals.signal("timers-changed")
# ``process_key`` and ``events`` (the audit rows a case step committed) — metrics count them.
case_events_committed = _signals.signal("case-events-committed")
# ``instance_id``: a case step queued papers to render (cases.papers.listen renders them right away).
papers_queued = _signals.signal("papers-queued")
