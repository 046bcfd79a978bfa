"""The Jobs page: the agent's queue read by the viewer, its buttons only with an agent_url, and a
click on Cancel cancelling the job in the agent (called from the page, cross-origin); a run's
checkpoints on its overview."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest
from integration.agent_server import live_agent, wait_for  # noqa: F401
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_without_agent_url_the_jobs_page_lists_jobs_and_offers_no_button(
    live_agent: Any,  # noqa: F811
    open_ui: Any,
    storage_root: Path,
    tmp_path: Path,
) -> None:
    agent = live_agent(storage_root)
    done = agent.submit(command=["true"], workdir=str(tmp_path), project="vision", name="quick")
    agent.wait_status(done["id"], "succeeded")
    waiting = agent.submit(
        command=["true"], workdir=str(tmp_path), project="nlp", name="waits", requires=["never"]
    )
    page = open_ui("/jobs")
    rows = page.get_by_test_id("job-row")
    expect(rows).to_have_count(2)
    expect(page.locator(f'[data-job="{waiting["id"]}"]')).to_have_attribute("data-status", "pending")
    expect(page.locator(f'[data-job="{done["id"]}"]')).to_have_attribute("data-status", "succeeded")
    expect(page.get_by_test_id("jobs-group")).to_have_count(2)
    expect(page.get_by_test_id("jobs-read-only")).to_be_visible()
    expect(page.get_by_test_id("job-cancel")).to_have_count(0)
    expect(page.get_by_test_id("job-resume")).to_have_count(0)
    expect(page.get_by_test_id("jobs-submit-form")).to_have_count(0)

    page.get_by_test_id("jobs-status").select_option("succeeded")
    expect(rows).to_have_count(1)
    page.locator(f'[data-job="{done["id"]}"]').get_by_test_id("job-open").click()
    expect(page.get_by_test_id("job-exit-code")).to_have_text("0")
    page.get_by_test_id("job-panel-run").click()
    expect(page.get_by_test_id("run-title")).to_be_visible()


def test_no_queue_shows_how_to_start_an_agent(open_ui: Any) -> None:
    page = open_ui("/jobs")
    expect(page.get_by_test_id("jobs-no-agent")).to_be_visible()
    expect(page.get_by_test_id("jobs-hint")).to_contain_text("runicorn agent")


def test_cancel_asks_for_the_agents_token_then_cancels_the_job_in_the_agent(
    live_agent: Any,  # noqa: F811
    open_ui: Any,
    storage_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    agent_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    monkeypatch.setenv("RUNICORN_AGENT_URL", agent_url)
    page = open_ui("/jobs", expected_failed_urls=("/cancel",))  # the agent's 401s, before the token
    viewer_origin = page.evaluate("location.origin")
    agent = live_agent(storage_root, cors=(viewer_origin,), sock=sock)
    assert agent.url == agent_url
    job = agent.submit(command=["true"], workdir=str(tmp_path), name="waits", requires=["never"])
    other = agent.submit(command=["true"], workdir=str(tmp_path), name="waits-too", requires=["never"])
    row = page.locator(f'[data-job="{job["id"]}"]')
    expect(row).to_have_attribute("data-status", "pending")
    expect(page.get_by_test_id("jobs-agent-url")).to_contain_text(agent_url)

    row.get_by_test_id("job-cancel").click()  # the agent wants its token: the page asks for it
    form = page.get_by_test_id("agent-token-form")
    expect(form).to_be_visible()
    expect(form).to_contain_text("runicorn agent token")
    form.get_by_test_id("agent-token-input").fill("not-the-agents-token")
    form.get_by_test_id("agent-token-give").click()
    expect(form).to_be_visible()  # a wrong token: asked again
    assert agent.job(job["id"])["status"] == "pending"

    form.get_by_test_id("agent-token-input").fill(agent.token)
    form.get_by_test_id("agent-token-give").click()
    wait_for(lambda: agent.job(job["id"])["status"] == "cancelled", what="the agent to cancel the job")
    expect(form).to_have_count(0)
    expect(row).to_have_attribute("data-status", "cancelled")
    expect(row.get_by_test_id("job-resume")).to_be_visible()

    page.reload()  # the token is kept in the tab: the next click is not asked again
    page.locator(f'[data-job="{other["id"]}"]').get_by_test_id("job-cancel").click()
    wait_for(lambda: agent.job(other["id"])["status"] == "cancelled", what="the second cancel")
    expect(page.get_by_test_id("agent-token-form")).to_have_count(0)


def test_run_overview_lists_the_runs_checkpoints(make_run: Any, open_ui: Any) -> None:
    run = make_run(steps=5, finish=False)
    run.log_checkpoint("/ckpt/epoch-1.pt", step=3)
    run.log_checkpoint("/ckpt/epoch-2.pt", step=5)
    run.finish()
    page = open_ui(f"/runs/{run.id}")
    page.get_by_test_id("tab-overview").click()
    rows = page.get_by_test_id("run-checkpoint")
    expect(rows).to_have_count(2)
    expect(rows.nth(0).get_by_test_id("run-checkpoint-path")).to_have_text("/ckpt/epoch-2.pt")
    expect(rows.nth(0).get_by_test_id("run-checkpoint-step")).to_have_text("5")
    expect(rows.nth(1).get_by_test_id("run-checkpoint-path")).to_have_text("/ckpt/epoch-1.pt")
