"""Where ``runicorn run`` records a command when not told (runicorn/launch/defaults.py)."""

from __future__ import annotations

import pytest

from runicorn import format as fmt
from runicorn.launch.defaults import default_name, default_project


@pytest.mark.parametrize(
    ("argv", "name"),
    [
        (["python", "train.py", "--lr", "0.1"], "train"),
        (["python3.11", "-u", "scripts/train.py"], "train"),
        (["/usr/bin/python3", "-m", "pkg.finetune", "--x"], "finetune"),
        (["python", "-c", "print(1)"], "python"),
        (["bash", "x.sh"], "x"),
        (["./a.out"], "a.out"),
        (["torchrun", "--nproc_per_node=2", "train_ddp.py"], "train_ddp"),
        (["accelerate", "launch", "--num_processes", "2", "fit.py"], "fit"),
        (["env", "CUDA_VISIBLE_DEVICES=0", "python", "eval.py"], "eval"),
        (["make"], "make"),
        (["./my script!.sh"], "my_script"),
    ],
)
def test_the_name_is_the_scripts(argv: list[str], name: str) -> None:
    assert default_name(argv) == name


def test_names_are_always_safe_folder_names() -> None:
    assert fmt.folder_name("..", "default") == "default"
    assert fmt.folder_name(".hidden", "default") == "hidden"
    assert fmt.folder_name("lr=0.1 run!", "default") == "lr_0.1_run"
    assert fmt.folder_name("media", "default") == "media_"
    assert fmt.is_safe_id(fmt.folder_name("a/b\\c d" * 40, "default"))


def test_the_project_is_the_folders_name_outside_git(tmp_path) -> None:
    folder = tmp_path / "my project"
    folder.mkdir()
    assert default_project(folder) == "my_project"
