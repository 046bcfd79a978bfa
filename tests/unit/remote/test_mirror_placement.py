"""Where mirrored runs land, how sources are parsed, and who owns a local run folder."""

from __future__ import annotations

from pathlib import Path

import pytest

from runicorn import format as fmt
from runicorn.errors import ConfigError
from runicorn.remote.connect import Credentials, parse_target
from runicorn.remote.mirror import place_run
from runicorn.remote.registry import MirrorEntry, Registry


def test_parse_target_reads_user_host_port_and_path() -> None:
    t = parse_target("alice@gpu1.lab:2222:/data/runicorn")
    assert (t.user, t.host, t.port, t.path, t.origin) == (
        "alice",
        "gpu1.lab",
        2222,
        "/data/runicorn",
        "gpu1.lab:2222",
    )
    assert parse_target("bob@10.0.0.5:/x").port == 22
    assert parse_target("carol@[::1]:23:/x").host == "::1"


@pytest.mark.parametrize("bad", ["gpu1", "alice@gpu1", "alice@gpu1:99999:/x", ""])
def test_parse_target_rejects_sources_without_path_or_with_bad_port(bad: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_target(bad)
    assert info.value.hint


def test_place_run_uses_meta_project_and_name_then_the_remote_position(tmp_path: Path) -> None:
    root = tmp_path
    assert place_run(root, "/srv/x/runs/r1", {"project": "p", "name": "n"}) == fmt.run_dir(
        root, "p", "n", "r1"
    )
    assert place_run(root, "/data/p2/n2/runs/r2", None) == fmt.run_dir(root, "p2", "n2", "r2")
    assert place_run(root, "/data/runs/r3", None) == fmt.run_dir(root, "default", "default", "r3")
    nested = place_run(root, "/data/runs/a/b/c/r4", {"path": "a/b/c"})
    loc = fmt.locate_run(root, nested)
    assert loc is not None and (loc.project, loc.name, loc.run_id) == ("a", "b/c", "r4")


def test_place_run_never_escapes_the_root_on_hostile_meta(tmp_path: Path) -> None:
    landed = place_run(tmp_path, "/srv/runs/r5", {"project": "..", "name": "../../etc"})
    assert landed == fmt.run_dir(tmp_path, "default", "default", "r5")
    assert landed.resolve().is_relative_to(tmp_path.resolve())


def test_registry_gives_a_foreign_or_local_run_folder_a_host_suffixed_twin(tmp_path: Path) -> None:
    reg = Registry(tmp_path)
    wanted = fmt.run_dir(tmp_path, "p", "n", "r1")
    assert reg.claim(wanted, "gpu1:22") == wanted
    wanted.mkdir(parents=True)
    assert reg.claim(wanted, "gpu1:22") == wanted  # ours: continue it
    twin = reg.claim(wanted, "gpu2:2222")
    assert twin == wanted.with_name("r1-gpu2_2222") and twin != wanted
    local_only = fmt.run_dir(tmp_path, "p", "n", "mine")
    local_only.mkdir(parents=True)
    assert reg.claim(local_only, "gpu1:22") != local_only  # a run the mirror did not create is never written


def test_mirror_file_keeps_no_secret(tmp_path: Path) -> None:
    reg = Registry(tmp_path)
    creds = Credentials(password="hunter2-secret")
    reg.add_mirror(
        MirrorEntry(
            id="m1", user="u", host="h", port=22, remote_path="/r", interval_s=2.0, auth=creds.auth_kind
        )
    )
    assert "hunter2-secret" not in (tmp_path / fmt.MIRRORS_FILE).read_text()
    assert "hunter2-secret" not in repr(creds)
    (entry,) = reg.mirrors()
    assert entry.auth == "password"
    reg.remove_mirror("m1")
    assert reg.mirrors() == []
