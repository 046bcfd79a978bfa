"""The on-disk format: Runicorn's contract with its users.

Every file name, JSON key and line encoding of a storage root is spelled in this package and
nowhere else, one module per artifact:

- :mod:`~runicorn.format.run`: a run folder's file names, statuses, the meta/status/config/summary
  shapes, and how its JSON files and logs.txt lines are written;
- :mod:`~runicorn.format.summary`: what ``summary.json`` holds (last values, explicit keys);
- :mod:`~runicorn.format.layout`: where runs sit under a storage root (ids, layouts, the trash);
- :mod:`~runicorn.format.events`: the records of ``events.jsonl`` and the encoding of one line;
- :mod:`~runicorn.format.artifacts`, :mod:`~runicorn.format.sweeps`, :mod:`~runicorn.format.jobs`:
  the artifact store, sweeps and the job service's files under the storage root;
- :mod:`~runicorn.format.bucket`: runs in an object store (sync manifests and index);
- :mod:`~runicorn.format.archive`: export manifests and what an imported run came from.

The SDK writes through it; the store, viewer, SSH mirror and archive code read through it.
``docs/format.md`` documents the same contract for people. Every public name is also importable
from ``runicorn.format`` itself (``fmt.META_FILE``), as it always was. The package imports only the
standard library and orjson: the SDK imports it, and ``import runicorn`` stays light.
"""

from runicorn.format.archive import *  # noqa: F403
from runicorn.format.artifacts import *  # noqa: F403
from runicorn.format.bucket import *  # noqa: F403
from runicorn.format.events import *  # noqa: F403
from runicorn.format.jobs import *  # noqa: F403
from runicorn.format.layout import *  # noqa: F403
from runicorn.format.run import *  # noqa: F403
from runicorn.format.summary import *  # noqa: F403
from runicorn.format.sweeps import *  # noqa: F403
