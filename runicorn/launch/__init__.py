"""The command wrapper, ``runicorn run``: a command on a pty recorded as a run, with a timeout,
retries and a git snapshot. See docs/run.md."""

from runicorn.launch.events import LaunchEvent, Observer
from runicorn.launch.launcher import Launcher, LaunchOptions, LaunchResult

__all__ = ["Launcher", "LaunchOptions", "LaunchResult", "LaunchEvent", "Observer"]
