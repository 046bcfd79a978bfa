"""What a reader of one run's ``events.jsonl`` keeps up to date: :class:`FollowedEvents`.

The reader reads on by byte offset through a :class:`~runicorn.store.follower.Follower`: each
:meth:`FollowedEvents.update` reads only what was appended since the last, and a file replaced,
truncated or gone is read again from the start (what the reader kept is emptied first). Each kind
of reader says what it keeps (``_reset``) and what it takes from a run of whole lines
(``_take_lines``): the media records (:mod:`.media_records`), the text values (:mod:`.text_values`).
"""

from __future__ import annotations

import threading
from pathlib import Path

from runicorn import format as fmt
from runicorn.store.follower import Follower

READ_CHUNK_BYTES = 8 * 1024 * 1024


class FollowedEvents:
    """Something kept from one run's ``events.jsonl``, brought up to date by :meth:`update`.
    Thread-safe."""

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self._lock = threading.Lock()
        self._follower = Follower()
        self._reset()

    def _reset(self) -> None:
        """Empty what is kept (the file is read again from the start)."""
        raise NotImplementedError

    def _take_lines(self, lines: bytes) -> None:
        """Keep what matters of ``lines`` (whole lines, read from ``self.offset`` on)."""
        raise NotImplementedError

    @property
    def offset(self) -> int:
        """Bytes of ``events.jsonl`` read (complete lines only)."""
        return self._follower.offset

    def update(self) -> None:
        """Read what was appended to ``events.jsonl`` since the last call."""
        with self._lock:
            new_lines = self._follower.new_lines(self.run_dir, fmt.EVENTS_FILE, READ_CHUNK_BYTES, self._reset)
            for lines in new_lines:
                self._take_lines(lines)
