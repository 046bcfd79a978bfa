"""The upload planner (runicorn/sync/planner.py): pure cases, no bucket."""

from __future__ import annotations

from runicorn import format as fmt
from runicorn.sync.bucket import Listed
from runicorn.sync.manifest import empty_manifest
from runicorn.sync.planner import AppendTask, LocalFile, ObjectTask, plan_run


def manifest_with(
    events: list[int], objects: dict[str, tuple[int, float]] | None = None
) -> fmt.BucketManifest:
    m = empty_manifest("demo/exp1/runs/r1", "r1")
    offset = 0
    for n, size in enumerate(events):
        m["segments"][fmt.EVENTS_FILE] = [
            *m["segments"].get(fmt.EVENTS_FILE, []),
            fmt.BucketSegment(n=n, offset=offset, size=size, sha256="0" * 64),
        ]
        offset += size
    for relpath, (size, mtime) in (objects or {}).items():
        m["objects"][relpath] = fmt.BucketObject(size=size, sha256="1" * 64, mtime=mtime)
    return m


def listed(m: fmt.BucketManifest) -> dict[str, Listed]:
    out = {
        fmt.bucket_segment_name(f, s["n"]): Listed(s["size"], "")
        for f, segs in m["segments"].items()
        for s in segs
    }
    out.update({fmt.bucket_object_name(r): Listed(o["size"], "") for r, o in m["objects"].items()})
    return out


def test_an_unchanged_run_plans_nothing() -> None:
    m = manifest_with([100, 50], {"meta.json": (10, 5.0)})
    files = {fmt.EVENTS_FILE: LocalFile(150, 9.0), "meta.json": LocalFile(10, 5.0)}
    assert plan_run(files, m, listed(m)).empty


def test_appended_bytes_become_segments_numbered_after_the_last() -> None:
    m = manifest_with([100, 50])
    plan = plan_run({fmt.EVENTS_FILE: LocalFile(400, 9.0)}, m, listed(m))
    assert plan.appends == [AppendTask(fmt.EVENTS_FILE, keep=2, start=150, end=400, first_n=2)]
    assert plan.upload_bytes == 250


def test_a_new_run_uploads_everything() -> None:
    m = empty_manifest("demo/exp1/runs/r1", "r1")
    plan = plan_run({fmt.LOGS_FILE: LocalFile(30, 1.0), "status.json": LocalFile(5, 1.0)}, m, {})
    assert plan.appends == [AppendTask(fmt.LOGS_FILE, 0, 0, 30, 0)]
    assert plan.objects == [ObjectTask("status.json", force=False)]


def test_a_rewritten_file_is_planned_by_size_or_mtime() -> None:
    m = manifest_with([], {"status.json": (10, 5.0), "summary.json": (10, 5.0)})
    plan = plan_run({"status.json": LocalFile(10, 6.0), "summary.json": LocalFile(10, 5.0)}, m, listed(m))
    assert plan.objects == [ObjectTask("status.json", force=False)]


def test_a_segment_lost_from_the_bucket_is_sent_again_under_a_new_number() -> None:
    m = manifest_with([100, 50, 25])
    remote = listed(m)
    del remote[fmt.bucket_segment_name(fmt.EVENTS_FILE, 1)]
    plan = plan_run({fmt.EVENTS_FILE: LocalFile(175, 9.0)}, m, remote)
    assert plan.appends == [AppendTask(fmt.EVENTS_FILE, keep=1, start=100, end=175, first_n=3)]
    assert plan.repaired == ["segments/events.jsonl.1"]


def test_a_file_shorter_than_its_segments_starts_over() -> None:
    m = manifest_with([100, 50])
    plan = plan_run({fmt.EVENTS_FILE: LocalFile(20, 9.0)}, m, listed(m))
    assert plan.appends == [AppendTask(fmt.EVENTS_FILE, keep=0, start=0, end=20, first_n=2)]


def test_a_lost_object_is_forced_and_a_gone_file_leaves_the_manifest() -> None:
    m = manifest_with([], {"media/a.png": (10, 5.0), "media/b.png": (10, 5.0)})
    remote = listed(m)
    del remote[fmt.bucket_object_name("media/a.png")]
    plan = plan_run({"media/a.png": LocalFile(10, 5.0)}, m, remote)
    assert plan.objects == [ObjectTask("media/a.png", force=True)]
    assert plan.dropped == ["media/b.png"]
