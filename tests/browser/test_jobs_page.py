"""The Jobs page: the agent's queue read by the viewer, its buttons only with an agent_url, and a
click on Cancel cancelling the job in the agent (called from the page, cross-origin); a run's
checkpoints on its overview."""

from __future__ import annotations

import socket
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from integration.agent_server import live_agent, wait_for  # noqa: F401
from page_screenshots import screenshot  # type: ignore[import-not-found]
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
    wait_for(lambda: agent.job(waiting["id"])["waiting_for"], what="the job to say what it waits for")
    page = open_ui("/jobs")
    rows = page.get_by_test_id("job-row")
    expect(rows).to_have_count(2)
    expect(page.locator(f'[data-job="{waiting["id"]}"]')).to_have_attribute("data-status", "pending")
    expect(page.get_by_test_id("job-waiting-for")).to_have_text("waiting for requires never")
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
    row.get_by_test_id("job-open").click()  # it never ran: no checkpoint, nothing to resume from
    expect(page.get_by_test_id("job-no-checkpoints")).to_be_visible()
    expect(page.get_by_test_id("job-resume")).to_have_count(0)

    page.reload()  # the token is kept in the tab: the next click is not asked again
    page.locator(f'[data-job="{other["id"]}"]').get_by_test_id("job-cancel").click()
    wait_for(lambda: agent.job(other["id"])["status"] == "cancelled", what="the second cancel")
    expect(page.get_by_test_id("agent-token-form")).to_have_count(0)


TRAIN = textwrap.dedent(
    """
    import runicorn as rn
    rn.init()
    rn.log({"loss": 0.5}, step=3)
    rn.log_checkpoint("ckpt-3.pt", step=3)
    rn.log({"loss": 0.25}, step=7)
    rn.log_checkpoint("ckpt-7.pt", step=7)
    rn.finish()
    """
)


def _agent_for_page(
    live_agent: Any,  # noqa: F811
    open_ui: Any,
    storage_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    expected_failed_urls: tuple[str, ...],
) -> tuple[Any, Any]:
    """A page whose buttons call a live agent (which allows the page's origin)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    monkeypatch.setenv("RUNICORN_AGENT_URL", f"http://127.0.0.1:{sock.getsockname()[1]}")
    page = open_ui("/jobs", expected_failed_urls=expected_failed_urls)
    agent = live_agent(storage_root, cors=(page.evaluate("location.origin"),), sock=sock)
    return agent, page


def test_job_panel_opens_under_its_row_wraps_the_command_and_resumes_from_the_newest_checkpoint(
    live_agent: Any,  # noqa: F811
    open_ui: Any,
    storage_root: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (tmp_path / "train.py").write_text(TRAIN)
    agent, page = _agent_for_page(live_agent, open_ui, storage_root, monkeypatch, ("/resume",))
    long_arg = "--data=" + "/datasets/imagenet-21k/shards/train" * 8
    trained = agent.submit(
        command=[sys.executable, "train.py", long_arg], workdir=str(tmp_path), project="vision", name="train"
    )
    agent.wait_status(trained["id"], "succeeded")
    plain = agent.submit(command=["true"], workdir=str(tmp_path), project="vision", name="plain")
    agent.wait_status(plain["id"], "succeeded")

    row = page.locator(f'[data-testid="job-row"][data-job="{trained["id"]}"]')
    expect(row).to_have_attribute("data-status", "succeeded")
    command = row.get_by_test_id("job-command")
    expect(command).to_contain_text("imagenet-21k")
    line_px = command.evaluate("c => parseFloat(getComputedStyle(c).lineHeight) || 16")
    assert command.bounding_box()["height"] > 2 * line_px  # wrapped onto several lines
    for width in (1400, 800):  # the table scrolls inside its card, the page never sideways
        page.set_viewport_size({"width": width, "height": 900})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
    page.set_viewport_size({"width": 1400, "height": 900})

    page.locator(f'[data-testid="job-row"][data-job="{plain["id"]}"]').get_by_test_id("job-open").click()
    expect(page.get_by_test_id("job-no-checkpoints")).to_be_visible()  # no checkpoint: no Resume
    expect(page.get_by_test_id("job-resume")).to_have_count(0)

    row.get_by_test_id("job-open").click()
    panel_row = page.get_by_test_id("job-panel-row")
    expect(panel_row).to_have_count(1)  # one panel at a time, right under the row it belongs to
    expect(panel_row).to_have_attribute("data-job", trained["id"])
    assert row.evaluate("r => r.nextElementSibling.dataset.testid") == "job-panel-row"
    checkpoints = panel_row.get_by_test_id("job-checkpoints")
    expect(checkpoints).to_contain_text("ckpt-7.pt")  # the latest, named in the folded summary
    expect(checkpoints.get_by_test_id("job-checkpoint").first).to_be_hidden()  # folded
    checkpoints.locator("summary").click()
    expect(checkpoints.get_by_test_id("job-checkpoint")).to_have_count(2)
    expect(checkpoints.get_by_test_id("job-checkpoint").first).to_contain_text("ckpt-7.pt")
    expect(checkpoints.get_by_test_id("job-checkpoint").nth(1)).to_contain_text("ckpt-3.pt")
    screenshot(page, "jobs-panel-under-its-row")

    panel_row.get_by_test_id("job-resume").click()
    page.get_by_test_id("agent-token-input").fill(agent.token)
    page.get_by_test_id("agent-token-give").click()
    resumed = wait_for(
        lambda: (job := agent.job(trained["id"])).get("resume_from") and job,
        what="the agent to resume the job",
    )
    assert Path(resumed["resume_from"]).name == "ckpt-7.pt"  # the newest checkpoint
    expect(page.get_by_test_id("jobs-agent-error")).to_have_count(0)


def test_an_error_from_the_agent_is_shown_in_the_page_with_its_hint(
    live_agent: Any,  # noqa: F811
    open_ui: Any,
    storage_root: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    agent, page = _agent_for_page(live_agent, open_ui, storage_root, monkeypatch, ("/api/jobs",))
    page.evaluate(
        "([key, token]) => sessionStorage.setItem(key, token)",
        [f"runicorn.agentToken:{agent.url}", agent.token],
    )
    page.reload()
    page.get_by_test_id("jobs-submit-command").fill("echo a\x00b")  # no program takes a NUL byte
    page.get_by_test_id("jobs-submit").click()
    said = page.get_by_test_id("jobs-agent-error")
    expect(said.get_by_test_id("jobs-agent-error-message")).to_contain_text("NUL byte")
    expect(said.get_by_test_id("jobs-agent-error-hint")).to_contain_text("no program can be given a NUL byte")
    with page.expect_response(lambda r: "/api/jobs?" in r.url):
        pass  # the list's next refresh
    expect(said).to_be_visible()  # kept across the refresh, until dismissed
    screenshot(page, "jobs-agent-error", full_page=False)
    said.get_by_test_id("jobs-agent-error-close").click()
    expect(said).to_have_count(0)


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
