"""A real container engine for the Docker executor's tests: Podman serving the Docker API on a
unix socket, with every file it keeps (images, containers, its own temp files) under a temporary
folder, so nothing global changes. Started once per test session; stopped by pid at the end.

The test image is made locally (no registry): an empty root filesystem whose ``/bin``, ``/lib``...
point into ``/usr`` as on the host. Containers get the host's ``/usr`` (and any top folder that is
not such a link), this Python's prefix, its virtual environment and this source tree, read-only,
at the same paths (``ContainerEngine.host_python_volumes``): the image then runs the very
``runicorn`` under test, with its dependencies, and the shell tools of the host. Making it takes
well under a second; nothing to cache.

Skipped with a reason when ``podman`` (or ``runc``, or the ``docker`` package) is missing:
``scripts/test_setup.sh`` installs them when run as root (``make test``).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[1]
IMAGE = "localhost/runicorn-test-host:latest"
# An image with nothing of Python or Runicorn in it: a shell and a few tools of the host, with
# the libraries they load, as a plain busybox image has (no registry here to pull one from).
PLAIN_IMAGE = "localhost/runicorn-test-plain:latest"
_PLAIN_TOOLS = ("sh", "echo", "sleep", "cat", "ls")
_TOP_FOLDERS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")


class ContainerEngine:
    """A running ``podman system service``; ``url`` is its DOCKER_HOST."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.socket = folder / "podman.sock"
        self.url = f"unix://{self.socket}"
        self.log = folder / "service.log"
        self.image = IMAGE
        self.plain_image = PLAIN_IMAGE
        self.proc: subprocess.Popen[bytes] | None = None
        self.client: Any = None  # a docker.DockerClient of the service, once it answers
        containers_conf = folder / "containers.conf"
        containers_conf.write_text(
            "[containers]\ndefault_ulimits = []\n"
            f'[engine]\ncgroup_manager = "cgroupfs"\nruntime = "runc"\nevents_logger = "file"\n'
            f'tmp_dir = "{folder / "engine-tmp"}"\nvolume_path = "{folder / "volumes"}"\n'
        )
        storage_conf = folder / "storage.conf"
        storage_conf.write_text(
            f'[storage]\ndriver = "vfs"\ngraphroot = "{folder / "graph"}"\nrunroot = "{folder / "run"}"\n'
        )
        self.env = {
            **os.environ,
            "CONTAINERS_CONF": str(containers_conf),
            "CONTAINERS_STORAGE_CONF": str(storage_conf),
        }

    def podman(self, *args: str, timeout_s: float = 60) -> str:
        done = subprocess.run(
            ["podman", *args], env=self.env, capture_output=True, text=True, timeout=timeout_s, check=False
        )
        if done.returncode != 0:
            raise AssertionError(f"podman {' '.join(args)} failed: {done.stderr.strip()}\n{self.report()}")
        return done.stdout

    def report(self) -> str:
        """The service's own output, for a failure message."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return "podman service output:\n" + (text[-4000:] or "(none)")

    def start(self) -> None:
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                ["podman", "--runtime", "runc", "system", "service", "--time=0", self.url],
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        import docker

        deadline = time.monotonic() + 30
        while True:
            if self.proc.poll() is not None:
                raise AssertionError(f"podman system service exited {self.proc.returncode}\n{self.report()}")
            if self.accepts():  # before the docker package tries: it leaks a refused socket
                try:
                    self.client = docker.DockerClient(base_url=self.url)
                    self.client.ping()
                    return
                except docker.errors.DockerException:
                    if self.client is not None:
                        self.client.close()
                        self.client = None
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"podman system service did not answer on {self.socket}\n{self.report()}"
                )
            time.sleep(0.05)

    def accepts(self) -> bool:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(str(self.socket))
                return True
            except OSError:
                return False

    def build_image(self) -> None:
        """An empty root filesystem with the host's top-level links into /usr, imported."""
        rootfs = self.folder / "rootfs"
        for name in ("tmp", "proc", "sys", "dev", "etc", "root", "usr", "home", "var"):
            (rootfs / name).mkdir(parents=True, exist_ok=True)
        (rootfs / "tmp").chmod(0o1777)
        for name in _TOP_FOLDERS:
            host = Path("/") / name
            if host.is_symlink():
                (rootfs / name).symlink_to(os.readlink(host))
        tarball = self.folder / "rootfs.tar"
        with tarfile.open(tarball, "w") as tar:
            tar.add(rootfs, arcname=".")
        self.podman("import", str(tarball), self.image)

    def build_plain_image(self) -> None:
        """A root filesystem holding only a shell, a few tools and their libraries (``ldd``)."""
        rootfs = self.folder / "plain-rootfs"
        for name in ("tmp", "proc", "sys", "dev", "etc", "bin"):
            (rootfs / name).mkdir(parents=True, exist_ok=True)
        (rootfs / "tmp").chmod(0o1777)
        for tool in _PLAIN_TOOLS:
            program = shutil.which(tool)
            assert program is not None, f"{tool} is not on this machine"
            shutil.copy(os.path.realpath(program), rootfs / "bin" / tool)
            libraries = subprocess.run(["ldd", program], capture_output=True, text=True, check=False).stdout
            for word in libraries.split():
                if word.startswith("/") and Path(word).exists():
                    target = rootfs / word.lstrip("/")
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(os.path.realpath(word), target)
        tarball = self.folder / "plain-rootfs.tar"
        with tarfile.open(tarball, "w") as tar:
            tar.add(rootfs, arcname=".")
        self.podman("import", "--change", "ENV=PATH=/bin", str(tarball), self.plain_image)

    def host_python_volumes(self) -> list[str]:
        """Read-only mounts that give a container of the test image this Python, its packages
        and this source tree, at the same paths as here."""
        paths = ["/usr"]
        paths += [
            f"/{name}"
            for name in _TOP_FOLDERS
            if Path(f"/{name}").is_dir() and not Path(f"/{name}").is_symlink()
        ]
        paths += [sys.base_prefix, sys.prefix, str(REPO)]
        chosen: list[str] = []
        for path in sorted({os.path.realpath(p) for p in paths}, key=len):
            if not any(path == c or path.startswith(c.rstrip("/") + "/") for c in chosen):
                chosen.append(path)
        return [f"{p}:{p}:ro" for p in chosen]

    def runicorn_argv(self) -> list[str]:
        """How a container of the test image starts the runicorn under test (this source tree,
        whichever checkout the virtual environment's own install points at)."""
        return ["env", f"PYTHONPATH={REPO}", sys.executable, "-m", "runicorn.cli"]

    def stop(self) -> None:
        if self.client is not None:
            self.client.close()
        try:
            subprocess.run(
                ["podman", "rm", "--all", "--force", "--time", "0"],
                env=self.env,
                capture_output=True,
                timeout=60,
            )
        finally:
            if self.proc is not None and self.proc.poll() is None:
                os.killpg(self.proc.pid, signal.SIGTERM)
                try:
                    self.proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(self.proc.pid, signal.SIGKILL)
                    self.proc.wait(10)
            for pid in self.monitor_pids():
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def monitor_pids(self) -> list[int]:
        """The engine's monitor processes (conmon) still working in our folder: after an exec
        each waits 5 minutes before it cleans up after it."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    cmdline = (entry / "cmdline").read_bytes()
                except OSError:
                    continue
                if cmdline.split(b"\0")[0].endswith(b"conmon") and str(self.folder).encode() in cmdline:
                    found.append(int(entry.name))
        return found


@pytest.fixture(scope="session")
def container_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ContainerEngine]:
    pytest.importorskip("docker", reason="the docker package is not installed (pip install -e '.[dev]')")
    for tool in ("podman", "runc"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (scripts/test_setup.sh installs it when run as root)")
    engine = ContainerEngine(tmp_path_factory.mktemp("podman"))
    try:
        engine.start()
        engine.build_image()
        engine.build_plain_image()
        yield engine
    finally:
        engine.stop()
