"""The Runs table beyond the basic filters: sorting, the tag and experiment
filters, paging, and the crashed badge of a run whose process died."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from runicorn import format as fmt
from runicorn.files import write_json_atomic

pytestmark = pytest.mark.browser


def test_tag_click_and_experiment_filters_can_be_set_and_cleared(make_run: Any, open_ui: Any) -> None:
    make_run(name="resnet", steps=5, tags=["baseline"])
    make_run(name="resnet", steps=5, tags=["big"])
    make_run(name="vit", steps=5, tags=["baseline"])
    page = open_ui("/")
    rows = page.get_by_test_id("run-row")
    expect(rows).to_have_count(3)

    rows.filter(has_text="big").get_by_test_id("run-tag").click()
    expect(rows).to_have_count(1)
    tag_box = page.get_by_test_id("filter-tag")
    expect(tag_box).to_have_value("big")
    tag_box.fill("")
    tag_box.press("Enter")
    expect(rows).to_have_count(3)

    name_box = page.get_by_test_id("filter-name")
    name_box.fill("resnet")
    name_box.press("Enter")
    expect(rows).to_have_count(2)
    page.get_by_test_id("filter-tag").fill("baseline")
    page.get_by_test_id("filter-tag").press("Enter")
    expect(rows).to_have_count(1)
    page.get_by_test_id("filter-name").fill("")
    page.get_by_test_id("filter-name").press("Enter")
    expect(rows).to_have_count(2)


def test_more_than_a_page_of_runs_pages_through_the_api(make_run: Any, open_ui: Any) -> None:
    for i in range(51):
        make_run(name=f"exp{i:02d}", steps=1)
    page = open_ui("/")
    rows = page.get_by_test_id("run-row")
    expect(rows).to_have_count(50)
    expect(page.get_by_test_id("runs-total")).to_contain_text("51")
    expect(page.get_by_test_id("page-prev")).to_be_disabled()
    page.get_by_test_id("page-next").click()
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("exp00")  # the oldest, newest first
    expect(page.get_by_test_id("page-next")).to_be_disabled()
    page.get_by_test_id("page-prev").click()
    expect(rows).to_have_count(50)


def test_a_run_whose_heartbeat_stopped_shows_as_crashed(make_run: Any, open_ui: Any) -> None:
    run = make_run(name="dead", steps=5)
    make_run(name="alive", steps=5)
    # What a killed training process leaves behind: status still "running", an old heartbeat.
    status_path = run.dir / fmt.STATUS_FILE
    status = fmt.read_json(status_path) or {}
    status.update({fmt.STATUS_KEY: fmt.RUNNING, fmt.HEARTBEAT_KEY: time.time() - 3600})
    write_json_atomic(status_path, status)
    page = open_ui("/")
    dead = page.get_by_test_id("run-row").filter(has_text="dead")
    expect(dead.get_by_test_id("status-badge")).to_have_attribute("data-status", "crashed")
    page.get_by_test_id("filter-status").select_option("crashed")
    expect(page.get_by_test_id("run-row")).to_have_count(1)
    expect(page.get_by_test_id("run-row")).to_contain_text("dead")
