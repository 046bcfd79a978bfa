"""Artifacts logged by one run and used by another: two real training processes, then the
viewer's /api/artifacts over the same storage root."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import httpx

from runicorn import format as fmt

REPO = Path(__file__).resolve().parents[2]

PRODUCER = """
import sys
from pathlib import Path
import runicorn.wandb.artifacts as wa
import runicorn as rn
work = Path(sys.argv[1])
(work / "model").mkdir(parents=True, exist_ok=True)
run = rn.init(project="vision", name="train", capture_console=False, system_metrics=False)
for text, aliases in (("weights-1", ["best"]), ("weights-2", [])):
    (work / "model" / "weights.bin").write_text(text)
    art = wa.Artifact("resnet", type="model", metadata={"text": text})
    art.add_dir(work / "model")
    with art.new_file("README.md") as f:
        f.write("a model")
    logged = wa.log_artifact(art, aliases=aliases)
    print(logged.version, ",".join(logged.aliases))
rn.finish()
"""

CONSUMER = """
import sys
from pathlib import Path
import runicorn.wandb.artifacts as wa
import runicorn as rn
out = Path(sys.argv[1])
run = rn.init(project="vision", name="eval", capture_console=False, system_metrics=False)
for spec in ("resnet:latest", "resnet:v0"):
    art = wa.use_artifact(spec)
    folder = Path(art.download(out / spec.replace(":", "-")))
    print(spec, art.version, (folder / "weights.bin").read_text(), art.metadata["text"], art.digest[:12])
rn.finish()
"""


def python(code: str, root: Path, *args: str) -> str:
    env = {**os.environ, "RUNICORN_DIR": str(root), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=50,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_an_artifact_logged_by_one_run_is_used_by_another_by_latest_and_by_version(
    storage_root: Path, tmp_path: Path, live_viewer
) -> None:
    assert python(PRODUCER, storage_root, str(tmp_path / "work")).split("\n")[:2] == [
        "v0 best,latest",
        "v1 latest",
    ]
    lines = python(CONSUMER, storage_root, str(tmp_path / "out")).splitlines()
    assert [line.split()[:4] for line in lines] == [
        ["resnet:latest", "v1", "weights-2", "weights-2"],
        ["resnet:v0", "v0", "weights-1", "weights-1"],
    ]
    assert (tmp_path / "out" / "resnet-v0" / "README.md").read_text() == "a model"

    base = live_viewer(storage_root)
    listing = httpx.get(f"{base}/api/artifacts").json()["artifacts"]
    assert [(a["name"], a["type"]) for a in listing] == [("resnet", "model")]
    versions = {v["version"]: v for v in listing[0]["versions"]}
    assert list(versions) == ["v1", "v0"]  # newest first
    assert versions["v1"]["aliases"] == ["latest"] and versions["v0"]["aliases"] == ["best"]
    assert [r["name"] for r in versions["v0"]["logged_by"]] == ["train"]
    assert [r["name"] for r in versions["v0"]["used_by"]] == ["eval"]
    assert [r["name"] for r in versions["v1"]["used_by"]] == ["eval"]

    detail = httpx.get(f"{base}/api/artifacts/resnet/v0").json()
    assert detail["metadata"] == {"text": "weights-1"}
    assert [(f["path"], f["size"]) for f in detail["files"]] == [("README.md", 7), ("weights.bin", 9)]
    assert detail["created_by"].startswith("vision/train/runs/")
    assert httpx.get(f"{base}/api/artifacts/resnet/latest").json()["version"] == "v1"

    eval_key = versions["v0"]["used_by"][0]["key"]
    run_links = httpx.get(f"{base}/api/runs/{eval_key}/artifacts").json()
    assert run_links["logged"] == []
    assert [(u["name"], u["version"], u["aliases"]) for u in run_links["used"]] == [
        ("resnet", "v1", ["latest"]),
        ("resnet", "v0", ["v0"]),
    ]


def test_unknown_artifacts_answer_404_in_the_one_error_shape(storage_root: Path, live_viewer) -> None:
    base = live_viewer(storage_root)
    assert httpx.get(f"{base}/api/artifacts").json() == {"artifacts": []}
    for path in ("/api/artifacts/nothing/v0", "/api/artifacts/..%2F..%2Fetc/v0", "/api/artifacts/x/..."):
        r = httpx.get(base + path)
        assert r.status_code == 404, path
        assert r.json()["status"] == 404


def test_a_version_file_linked_out_of_the_store_is_not_served(
    storage_root: Path, tmp_path: Path, live_viewer
) -> None:
    secret = tmp_path / "secret.json"
    secret.write_text('{"name": "leak", "version": "v0", "type": "t", "digest": "SECRET", "entries": []}')
    versions = storage_root / fmt.ARTIFACTS_DIR / fmt.ARTIFACT_NAMES_DIR / "leak" / fmt.ARTIFACT_VERSIONS_DIR
    versions.mkdir(parents=True)
    (versions / "v0.json").symlink_to(secret)
    base = live_viewer(storage_root)
    assert "SECRET" not in httpx.get(f"{base}/api/artifacts").text
    assert httpx.get(f"{base}/api/artifacts/leak/v0").status_code == 404
