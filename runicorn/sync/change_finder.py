"""Which manifests a cycle of the bucket viewer looks at: the whole listing, or only the live runs'.

Listing a prefix costs one request per thousand objects and the parsing of them all: about 0.7 s
of work for a thousand runs. Repeated every second to keep live runs' tails fresh, it would keep a
core busy while nothing changes. So between full listings a cycle reads only the manifests of the
runs that were live when last seen (one small request each, fetched together), since those are
what changes second to second. The full listing, which finds new runs and anything changed by
hand, comes every ``full_every_s`` seconds, stretched to twenty times what the last one took (at
most ``MAX_FULL_EVERY_S``): a small prefix is listed every cycle, a large one every ten or twenty
seconds. ``runicorn pull`` lists in full each time it runs.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from runicorn.sync.bucket import Bucket, BucketError, Listed
from runicorn.sync.manifest import MAX_MANIFEST_BYTES

LISTING_COST_FACTOR = 20
MAX_FULL_EVERY_S = 30.0


@dataclass
class Look:
    """What one cycle saw: ``listing`` (key -> size, ETag) is the whole prefix when ``full``,
    else only the live runs' manifests, whose bytes are in ``fetched``."""

    listing: dict[str, Listed]
    full: bool
    fetched: dict[str, bytes] = field(default_factory=dict)


class ChangeFinder:
    def __init__(
        self, bucket: Bucket, full_every_s: float = 0.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.bucket = bucket
        self.full_every_s = full_every_s  # 0: every look is a full listing
        self.clock = clock
        self._listed_at: float | None = None
        self._listing_s = 0.0

    def look(self, live: set[str]) -> Look:
        """The next cycle's view; ``live``: the manifest keys of the runs last seen live."""
        now = self.clock()
        every_s = min(max(self.full_every_s, self._listing_s * LISTING_COST_FACTOR), MAX_FULL_EVERY_S)
        if self._listed_at is None or now - self._listed_at >= every_s or not self.full_every_s:
            listing = self.bucket.listing()
            self._listed_at = self.clock()
            self._listing_s = self._listed_at - now
            return Look(listing, full=True)
        look = Look({}, full=False)
        for key, data in self.bucket.get_many(dict.fromkeys(sorted(live), MAX_MANIFEST_BYTES)).items():
            if isinstance(data, BucketError):
                continue  # gone (or unreadable): the next full listing says what became of it
            look.listing[key] = Listed(len(data), hashlib.md5(data).hexdigest())
            look.fetched[key] = data
        return look
