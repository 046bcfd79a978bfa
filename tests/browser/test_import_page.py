"""The Import page: archives exported from SDK-written runs are uploaded through the browser and
their runs show up in the runs table (docs/archives.md#upload, docs/web.md)."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from typing import Any

import pytest
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

import runicorn
from runicorn.archive.export import export_runs, select_runs

pytestmark = pytest.mark.browser


def exported_archive(tmp_path: Path, name: str) -> tuple[Path, list[str]]:
    """Two runs written by the SDK on "another machine", exported to ``name`` (.zip or .tar.gz)."""
    source = tmp_path / "other-machine"
    ids = []
    for exp in ("resnet", "vit"):
        run = runicorn.init(
            project="imported", name=exp, storage=source, capture_console=False, system_metrics=False
        )
        for step in range(1, 6):
            run.log({"loss": 1.0 / step}, step=step)
        run.finish()
        ids.append(run.id)
    out = tmp_path / name
    export_runs(source, out, select_runs(source))
    return out, ids


def test_uploaded_archive_imports_runs_that_appear_in_the_runs_table(tmp_path: Path, open_ui: Any) -> None:
    archive, ids = exported_archive(tmp_path, "two-runs.tar.gz")
    page = open_ui("/")
    expect(page.get_by_test_id("runs-empty")).to_be_visible()
    page.get_by_test_id("nav-import").click()
    expect(page).to_have_url(re.compile(r"/import$"))

    page.get_by_test_id("import-file-input").set_input_files(str(archive))
    upload = page.get_by_test_id("import-upload")
    expect(upload).to_have_attribute("data-state", "done")
    rows = upload.get_by_test_id("import-result-row")
    expect(rows).to_have_count(2)
    for i in range(2):
        expect(rows.nth(i)).to_have_attribute("data-outcome", "imported")
    expect(upload.get_by_test_id("import-results")).to_contain_text(ids[0])
    expect(upload.get_by_test_id("import-results")).to_contain_text("resnet")
    screenshot(page, "import-done")

    # the same archive again: nothing is duplicated, both runs are reported as already there
    page.get_by_test_id("import-file-input").set_input_files(str(archive))
    second = page.get_by_test_id("import-upload").nth(1)
    expect(second).to_have_attribute("data-state", "done")
    expect(second.locator("[data-outcome=skipped]")).to_have_count(2)

    page.get_by_test_id("nav-runs").click()
    expect(page.get_by_test_id("run-row")).to_have_count(2)
    expect(page.get_by_test_id("runs-table")).to_contain_text("vit")

    # a result row links to the imported run's page
    page.get_by_test_id("nav-import").click()
    page.get_by_test_id("import-file-input").set_input_files(str(archive))
    page.get_by_test_id("import-run-link").first.click()
    expect(page).to_have_url(re.compile(r"/runs/[^/]+$"))
    expect(page.get_by_test_id("run-title")).to_be_visible()


def test_a_damaged_archive_shows_the_error_and_its_hint(tmp_path: Path, open_ui: Any) -> None:
    archive, _ids = exported_archive(tmp_path, "good.zip")
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    not_archive = tmp_path / "notes.txt"
    not_archive.write_text("not an archive")
    page = open_ui("/import", expected_failed_urls=("/api/import",))
    page.get_by_test_id("import-file-input").set_input_files([str(damaged), str(not_archive)])
    uploads = page.get_by_test_id("import-upload")
    expect(uploads).to_have_count(2)
    expect(uploads.nth(0)).to_have_attribute("data-state", "failed")
    expect(uploads.nth(0).get_by_test_id("import-error")).to_contain_text("damaged.zip")
    expect(uploads.nth(0).get_by_test_id("import-error-hint")).to_contain_text("nothing was written")
    expect(uploads.nth(1).get_by_test_id("import-error")).to_contain_text(".zip and .tar.gz")
    screenshot(page, "import-errors")
    page.get_by_test_id("nav-runs").click()
    expect(page.get_by_test_id("runs-empty")).to_be_visible()


def test_an_archive_dropped_on_the_page_is_imported_and_the_page_speaks_chinese(
    tmp_path: Path, open_ui: Any
) -> None:
    archive, ids = exported_archive(tmp_path, "dropped.zip")
    page = open_ui("/import")
    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("page-title")).to_have_text("导入运行")
    transfer = page.evaluate_handle(
        """([name, data]) => {
            const dt = new DataTransfer();
            const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
            dt.items.add(new File([bytes], name, { type: "application/zip" }));
            return dt;
        }""",
        [archive.name, base64.b64encode(archive.read_bytes()).decode()],
    )
    page.get_by_test_id("import-dropzone").dispatch_event("drop", {"dataTransfer": transfer})
    upload = page.get_by_test_id("import-upload")
    expect(upload).to_have_attribute("data-state", "done")
    expect(upload.get_by_test_id("import-result-row")).to_have_count(2)
    expect(upload).to_contain_text("已导入")
    expect(upload).to_contain_text(ids[1])
