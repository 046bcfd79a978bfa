"""The viewer's API for histograms, tables and audio/video/HTML files (docs/api.md) against a real
uvicorn and a run written by the SDK."""

from __future__ import annotations

from pathlib import Path

import httpx
from media_runs import HTML_PAGE, media_run  # type: ignore[import-not-found]

from runicorn import format as fmt


def get(base: str, url: str, **params: object) -> httpx.Response:
    return httpx.get(base + url, params=params, timeout=30)  # type: ignore[arg-type]


def test_histograms_per_key_downsampled_to_max_steps(storage_root: Path, live_viewer) -> None:
    run = media_run(storage_root)
    base = live_viewer(storage_root)
    full = get(base, f"/api/runs/{run.id}/histograms").json()["keys"]["weights"]
    assert full["steps"] == list(range(1, 51)) and full["total"] == 50
    assert len(full["edges"][0]) == 33 and sum(full["counts"][0]) == 2000
    # the distribution drifts up: the last step's edges start higher than the first's
    assert full["edges"][-1][0] > full["edges"][0][0]
    few = get(base, f"/api/runs/{run.id}/histograms", max_steps=5).json()["keys"]["weights"]
    assert len(few["steps"]) == 5 and few["steps"][0] == 1 and few["steps"][-1] == 50
    assert get(base, f"/api/runs/{run.id}/histograms", max_steps=0).status_code == 400
    # the metric path is not disturbed by the other kinds in the same file
    detail = get(base, f"/api/runs/{run.id}").json()
    assert detail["malformed_lines"] == 0 and detail["metric_keys"] == ["loss"]


def test_table_rows_are_paged_and_sorted_server_side(storage_root: Path, live_viewer) -> None:
    run = media_run(storage_root)
    base = live_viewer(storage_root)
    (table,) = get(base, f"/api/runs/{run.id}/tables").json()["tables"]
    assert table["columns"] == ["id", "name", "score"] and table["rows"] == 100
    rows = f"/api/runs/{run.id}/tables/rows"
    first = get(base, rows, path=table["path"], limit=10).json()
    assert first["total"] == 100 and [r[0] for r in first["rows"]] == list(range(10))
    second = get(base, rows, path=table["path"], offset=10, limit=10).json()
    assert [r[0] for r in second["rows"]] == list(range(10, 20))
    by_score = get(base, rows, path=table["path"], sort="score", desc="true", limit=3).json()
    assert [r[2] for r in by_score["rows"]] == [9.9, 9.8, 9.7]
    assert get(base, rows, path=table["path"], sort="nope").status_code == 400
    # only tables the run logged are read: not its other files, nor paths out of media/
    assert get(base, rows, path="media/../meta.json").status_code == 404
    html = get(base, f"/api/runs/{run.id}/media").json()["html"][0]["path"]
    assert get(base, rows, path=html).status_code == 404


def test_audio_video_and_html_are_listed_and_served_with_their_types(storage_root: Path, live_viewer) -> None:
    run = media_run(storage_root)
    base = live_viewer(storage_root)
    media = get(base, f"/api/runs/{run.id}/media").json()
    (audio,), (video,), (html,) = media["audio"], media["video"], media["html"]
    assert audio["caption"] == "440 Hz" and video["caption"] == "episode"
    wav = get(base, f"/api/runs/{run.id}/media/{audio['path']}")
    assert (
        wav.status_code == 200 and wav.headers["content-type"] == "audio/wav" and wav.content[:4] == b"RIFF"
    )
    gif = get(base, f"/api/runs/{run.id}/media/{video['path']}")
    assert gif.headers["content-type"] == "image/gif" and gif.content[:6] == b"GIF89a"
    page = get(base, f"/api/runs/{run.id}/media/{html['path']}")
    assert page.text == HTML_PAGE and page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "sandbox" in csp and "script-src" not in csp and "frame-ancestors 'self'" in csp
    assert page.headers["x-frame-options"] == "SAMEORIGIN"
    assert (run.dir / fmt.MEDIA_DIR).is_dir()
