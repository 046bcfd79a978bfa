"""The Artifacts page: the store's versions with the runs that logged and used them, a version's
files, and a run's own artifacts on its page (docs/web.md, docs/artifacts.md)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from runicorn.artifacts import Draft

pytestmark = pytest.mark.browser


def test_artifacts_page_lists_versions_and_links_runs_both_ways(
    make_run: Any, tmp_path: Path, open_ui: Any
) -> None:
    (tmp_path / "model").mkdir()
    weights = tmp_path / "model" / "weights.bin"
    producer = make_run(name="train", steps=3, finish=False)
    for text in ("first", "second"):
        weights.write_text(text)
        draft = Draft("resnet", "model", metadata={"epochs": 3})
        draft.add_dir(tmp_path / "model")
        producer.log_artifact(draft, aliases=["best"] if text == "first" else [])
    producer.finish()
    consumer = make_run(name="eval", steps=3, finish=False)
    consumer.use_artifact("resnet:v0")
    consumer.finish()

    page = open_ui("/")
    page.get_by_test_id("nav-artifacts").click()
    expect(page).to_have_url(re.compile(r"/artifacts$"))
    rows = page.get_by_test_id("artifact-row")
    expect(rows).to_have_count(2)
    v0 = page.locator('[data-testid="artifact-row"][data-version="v0"]')
    expect(v0.get_by_test_id("artifact-aliases")).to_have_text("best")
    expect(v0.get_by_test_id("artifact-used-by")).to_contain_text("demo/eval")
    expect(
        page.locator('[data-testid="artifact-row"][data-version="v1"]').get_by_test_id("artifact-aliases")
    ).to_have_text("latest")

    v0.get_by_test_id("artifact-version-link").click()
    expect(page.get_by_test_id("artifact-title")).to_contain_text("resnet:v0")
    expect(page.get_by_test_id("artifact-file")).to_have_count(1)
    expect(page.get_by_test_id("artifact-file")).to_contain_text("weights.bin")
    expect(page.get_by_test_id("artifact-metadata-row")).to_contain_text("epochs")
    page.get_by_test_id("artifact-logged-by").get_by_test_id("artifact-run-link").click()
    expect(page).to_have_url(re.compile(rf"/runs/{producer.id}$"))

    page.get_by_test_id("tab-overview").click()
    logged = page.get_by_test_id("run-artifacts-logged").get_by_test_id("run-artifact-link")
    expect(logged).to_have_text(["resnet:v0", "resnet:v1"])
    logged.first.click()
    expect(page.get_by_test_id("artifact-title")).to_contain_text("resnet:v0")


def test_artifacts_page_says_how_to_log_one_when_the_store_is_empty(open_ui: Any) -> None:
    page = open_ui("/artifacts")
    expect(page.get_by_test_id("artifacts-empty")).to_be_visible()
    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("page-title")).to_have_text("制品")
