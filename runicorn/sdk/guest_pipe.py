"""The framing of the guest pipe: the pipe that `runicorn run` hands to a command calling ``rn.init``
(``RUNICORN_EVENTS_FD``, runicorn/sdk/guest.py), and that a forked child of a run writes to its
parent on (runicorn/sdk/child_lines.py, runicorn/sdk/fork_relay.py). Each line on it starts with one
of these bytes; the rest is an ``events.jsonl`` line, or a ``logs.txt`` line. The wrapper's end is
runicorn/launch/guest_relay.py. The pipe never reaches a disk: the lines it carries are written to
the run's files by the one process that owns them."""

GUEST_EVENT_LINE = b"e"
GUEST_LOG_LINE = b"l"
