#!/usr/bin/env bash
# Installs everything the test suite needs: system packages (when root), the package with its
# dev extras into .venv. Safe to run again: it skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
[ -x /usr/sbin/sshd ] || need_apt+=(openssh-server)
command -v npm >/dev/null 2>&1 || need_apt+=(nodejs npm)
# a real single-node Slurm for the Slurm executor's tests (tests/slurm_cluster.py)
command -v slurmctld >/dev/null 2>&1 || need_apt+=(slurm-wlm)
command -v munged >/dev/null 2>&1 || need_apt+=(munge)
# a CJK font, so that 中文 labels in browser screenshots are not drawn as boxes
[ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || need_apt+=(fonts-wqy-microhei)
# a container engine serving the Docker API, for the Docker executor's tests
command -v podman >/dev/null 2>&1 || need_apt+=(podman)
command -v runc >/dev/null 2>&1 || need_apt+=(runc)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "installing system packages: ${need_apt[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >/dev/null
    apt-get install -y -q --no-install-recommends "${need_apt[@]}" >/dev/null
  else
    echo "warning: not root, cannot install ${need_apt[*]}; tests that need them will be skipped" >&2
  fi
fi

.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev]'

# The real wandb package in a side venv, .venv-wandb (never in .venv: there `import wandb` is
# Runicorn's shim). The tests of `runicorn import` of W&B run folders write offline runs with it
# (tests/wandb_side_venv.py) and are skipped without it.
WANDB_VERSION=0.31.0
if ! .venv-wandb/bin/python -c "import wandb, numpy, PIL" >/dev/null 2>&1; then
  if ! { .venv/bin/python -m venv .venv-wandb \
      && .venv-wandb/bin/python -m pip install -q "wandb==$WANDB_VERSION" numpy pillow; }; then
    echo "warning: could not make .venv-wandb with wandb==$WANDB_VERSION; the W&B import tests will be skipped" >&2
  fi
fi
