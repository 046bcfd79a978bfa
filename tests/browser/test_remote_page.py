"""The Remote page against a real OpenSSH sshd on loopback: connect with a key file, trust the
host's fingerprint, browse to a folder of SDK-written runs, mirror it and watch the mirror copy
them (docs/remote.md#api, docs/web.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from page_screenshots import screenshot  # type: ignore[import-not-found]
from playwright.sync_api import expect

import runicorn
from runicorn import format as fmt

sys.path.append(str(Path(__file__).resolve().parents[1] / "integration"))
from sshd_server import SSHD, SshServer  # noqa: E402

pytestmark = [
    pytest.mark.browser,
    pytest.mark.ssh,
    pytest.mark.skipif(not os.path.exists(SSHD), reason=f"OpenSSH server not installed ({SSHD} missing)"),
]


@pytest.fixture
def sshd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[SshServer]:
    """A real sshd whose host key nobody trusts yet (a fresh HOME, no agent)."""
    (tmp_path / "home" / ".ssh").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SSH_AUTH_SOCK", raising=False)
    srv = SshServer(tmp_path / "sshd")
    srv.start()
    try:
        yield srv
    finally:
        srv.cleanup()


def host_fingerprint(srv: SshServer) -> str:
    out = subprocess.run(
        ["ssh-keygen", "-l", "-E", "sha256", "-f", str(srv.dir / "host_key.pub")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return out.split()[1]


def connect_with_key_file(page: Any, srv: SshServer) -> None:
    page.get_by_test_id("remote-host").fill("127.0.0.1")
    page.get_by_test_id("remote-port").fill(str(srv.port))
    page.get_by_test_id("remote-user").fill(srv.user)
    page.get_by_test_id("remote-auth").select_option("key_path")
    page.get_by_test_id("remote-key-path").fill(str(srv.client_key))
    page.get_by_test_id("remote-connect").click()


def test_connect_trust_browse_and_mirror_remote_runs(sshd: SshServer, tmp_path: Path, open_ui: Any) -> None:
    remote_root = tmp_path / "remote"
    run = runicorn.init(
        project="cluster", name="bigmodel", storage=remote_root, capture_console=False, system_metrics=False
    )
    for step in range(1, 11):
        run.log({"loss": 1.0 / step}, step=step)
    run.finish()
    # a folder the server lists with a name that is not UTF-8: refused, and the page says so
    junk = os.path.join(os.fsencode(remote_root), b"junk")
    os.mkdir(junk)
    with open(os.path.join(junk, b"bad-\xff-name"), "wb") as f:
        f.write(b"x")

    page = open_ui("/")
    page.get_by_test_id("nav-remote").click()
    expect(page.get_by_test_id("remote-no-mirrors")).to_be_visible()
    connect_with_key_file(page, sshd)

    expect(page.get_by_test_id("remote-fingerprint")).to_have_text(host_fingerprint(sshd))
    screenshot(page, "remote-unknown-host")
    page.get_by_test_id("remote-trust").click()
    expect(page.get_by_test_id("remote-connected")).to_be_visible()
    expect(page.get_by_test_id("remote-entries")).to_be_visible()  # the login's home folder

    # open a folder by path, step into the runs folder, back up with the breadcrumbs and in again
    page.get_by_test_id("remote-path-input").fill(str(tmp_path))
    page.get_by_test_id("remote-path-go").click()
    entry = page.locator('[data-testid=remote-entry][data-name="remote"]')
    entry.click()
    expect(page.get_by_test_id("remote-breadcrumbs")).to_contain_text("remote")
    crumbs = page.get_by_test_id("remote-crumb")
    crumbs.nth(crumbs.count() - 2).click()
    entry.click()
    expect(page.locator('[data-testid=remote-entry][data-name="cluster"]')).to_be_visible()
    run_folder = fmt.run_dir(remote_root, "cluster", "bigmodel", run.id).parent
    page.get_by_test_id("remote-path-input").fill(str(run_folder))
    page.get_by_test_id("remote-path-go").click()
    expect(page.locator(f'[data-testid=remote-entry][data-name="{run.id}"]')).to_be_visible()
    expect(page.get_by_test_id("remote-run-mark")).to_have_count(1)
    page.get_by_test_id("remote-path-input").fill(str(remote_root))
    page.get_by_test_id("remote-path-go").click()
    expect(page.locator('[data-testid=remote-entry][data-name="cluster"]')).to_be_visible()
    page.get_by_test_id("remote-mirror").click()

    row = page.get_by_test_id("remote-mirror-row")
    expect(row).to_have_count(1)
    expect(row.get_by_test_id("remote-mirror-runs")).to_have_text(re.compile(r"^[1-9]\d*$"), timeout=20_000)
    expect(row.get_by_test_id("remote-mirror-alive")).to_have_text("yes")
    refused = row.get_by_test_id("remote-mirror-refused")
    expect(refused).to_contain_text("1", timeout=20_000)
    refused.locator("summary").click()
    expect(refused).to_contain_text("junk")
    screenshot(page, "remote-mirroring")

    page.get_by_test_id("nav-runs").click()
    expect(page.get_by_test_id("runs-table")).to_contain_text("bigmodel", timeout=10_000)

    page.get_by_test_id("nav-remote").click()
    page.get_by_test_id("remote-mirror-stop").click()
    expect(page.get_by_test_id("remote-no-mirrors")).to_be_visible()
    page.get_by_test_id("theme-toggle").click()
    screenshot(page, "remote-dark")


def test_a_changed_host_key_is_refused_with_a_clear_error(sshd: SshServer, open_ui: Any) -> None:
    page = open_ui("/remote", expected_failed_urls=("/api/ssh/connect",))
    connect_with_key_file(page, sshd)
    page.get_by_test_id("remote-trust").click()
    expect(page.get_by_test_id("remote-connected")).to_be_visible()
    # the page lists the home folder right after connecting: let that answer come before the
    # server goes away, or its failure is a console error this test does not expect
    expect(page.get_by_test_id("remote-entries")).to_be_visible()

    sshd.kill()
    sshd.new_host_key()
    sshd.start()
    page.get_by_test_id("remote-connect").click()
    error = page.get_by_test_id("remote-connect-error")
    expect(error).to_contain_text(re.compile("changed|does not match", re.IGNORECASE))
    expect(page.get_by_test_id("remote-trust")).to_have_count(0)
    expect(page.get_by_test_id("remote-connected")).to_have_count(0)
    expect(page.get_by_test_id("remote-browser")).to_have_count(0)
    screenshot(page, "remote-changed-key")
