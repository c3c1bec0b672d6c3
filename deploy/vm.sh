#!/usr/bin/env bash
# Assetline on one VM (or several: run each block on its machine), as plain processes.
# Each command is a long-running process: run it under systemd, supervisord or tmux.
# docs/deploy.md explains each one. Run from the project's directory (where
# pyproject.toml names the code location), with the package installed:
#   python -m venv .venv && .venv/bin/pip install -e .
set -euo pipefail

# What every process shares (copy deploy/assetline.env and adapt the host names).
set -a
ASSETLINE_CATALOG_URL=postgresql+psycopg://assetline:assetline@127.0.0.1:5432/assetline
ASSETLINE_HOME=/srv/assetline          # shared storage: NFS or the same disk
ASSETLINE_EXECUTOR=dask
ASSETLINE_DASK_ADDRESS=tcp://127.0.0.1:8786
DASK_DISTRIBUTED__SCHEDULER__ALLOWED_FAILURES=0
ASSETLINE_POOL_LEASE_S=30
set +a

case "${1:-}" in
  catalog)    # once, and after each upgrade of Assetline
    exec .venv/bin/assetline catalog upgrade ;;
  scheduler)
    exec .venv/bin/dask scheduler --host 127.0.0.1 --port 8786 --no-dashboard ;;
  worker)     # as many as you like, on any machine that reaches the scheduler
    exec .venv/bin/dask worker "$ASSETLINE_DASK_ADDRESS" --nthreads 1 --no-dashboard ;;
  daemon)
    exec .venv/bin/assetline daemon ;;
  ui)
    exec .venv/bin/assetline ui --host 127.0.0.1 --port 3000 ;;
  *)
    echo "usage: deploy/vm.sh catalog|scheduler|worker|daemon|ui" >&2
    exit 2 ;;
esac
