"""What one sync of one run must upload: a pure function of the local files and the bucket.

Given the run's local files (size, mtime), its manifest in the bucket (or none) and the objects the
bucket lists under the run, :func:`plan_run` says which bytes of each append-only file become new
segments, which whole files to upload, and whether the manifest changes. It reads nothing: the
uploader does the I/O (cutting the new bytes at whole lines and frames) and tests feed it cases.

Rules:
- An append-only file continues from the bytes its segments hold. A file shorter than that (it
  was replaced), or one whose segment the bucket no longer lists (deleted by hand), goes on from
  the last whole segment before the gap; new segments are numbered past every number used, so a
  sealed segment is never rewritten.
- A whole file is uploaded when its size or mtime differ from the manifest's (the uploader skips
  the PUT when its sha256 is unchanged), or when the bucket no longer lists its object.
- A file that is gone locally leaves the manifest; its bytes stay in the bucket.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from runicorn import format as fmt
from runicorn.sync.bucket import Listed


@dataclass(frozen=True)
class LocalFile:
    size: int
    mtime: float


@dataclass(frozen=True)
class AppendTask:
    file: str  # one of format.APPEND_ONLY_FILES
    keep: int  # how many of the manifest's segments stay
    start: int  # the offset new segments start at (the end of the kept ones)
    end: int  # the local size: new segments cover start..end, cut at whole units
    first_n: int  # the number of the first new segment


@dataclass(frozen=True)
class ObjectTask:
    relpath: str
    force: bool  # upload even when the sha256 is the manifest's (its object is missing)


@dataclass
class Plan:
    appends: list[AppendTask] = field(default_factory=list)
    objects: list[ObjectTask] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # relpaths to leave out of the manifest
    repaired: list[str] = field(default_factory=list)  # keys the bucket lost, named for the report

    @property
    def empty(self) -> bool:
        return not (self.appends or self.objects or self.dropped)

    @property
    def upload_bytes(self) -> int:
        """At most this many payload bytes (whole files counted in full, before the sha check)."""
        return sum(a.end - a.start for a in self.appends)


def plan_run(
    files: dict[str, LocalFile],
    manifest: fmt.BucketManifest,
    remote: dict[str, Listed] | None,
) -> Plan:
    """The plan for one run. ``remote``: the bucket's objects under the run (keys relative to it);
    None when not listed (trust the manifest)."""
    plan = Plan()
    for name in fmt.APPEND_ONLY_FILES:
        local = files.get(name)
        segments = manifest["segments"].get(name, [])
        if local is None:
            if segments:
                plan.dropped.append(name)
            continue
        keep = len(segments)
        if remote is not None:
            for i, seg in enumerate(segments):
                key = fmt.bucket_segment_name(name, seg["n"])
                if key not in remote or remote[key].size != seg["size"]:
                    plan.repaired.append(key)
                    keep = i
                    break
        start = segments[keep - 1]["offset"] + segments[keep - 1]["size"] if keep else 0
        if local.size < start:  # replaced by a shorter file: start over
            keep, start = 0, 0
        if keep == len(segments) and local.size == start:
            continue
        used = [seg["n"] for seg in segments]
        if keep < len(segments) and remote is not None:  # never reuse a number a reader may hold
            prefix = fmt.bucket_segment_name(name, 0)[:-1]
            used += [
                int(k[len(prefix) :]) for k in remote if k.startswith(prefix) and k[len(prefix) :].isdigit()
            ]
        plan.appends.append(AppendTask(name, keep, start, local.size, max(used, default=-1) + 1))
    for relpath, local in sorted(files.items()):
        if relpath in fmt.APPEND_ONLY_FILES:
            continue
        known = manifest["objects"].get(relpath)
        missing = remote is not None and known is not None and (fmt.bucket_object_name(relpath) not in remote)
        if missing:
            plan.repaired.append(fmt.bucket_object_name(relpath))
        if known is None or missing or known["size"] != local.size or known["mtime"] != local.mtime:
            plan.objects.append(ObjectTask(relpath, force=missing))
    plan.dropped += [r for r in manifest["objects"] if r not in files]
    return plan
