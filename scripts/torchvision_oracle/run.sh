#!/usr/bin/env bash
# Compare glasstorch.vision with torchvision. torchvision needs torch 2.14.1 + torchvision 0.29.1 on x86_64 (a CUDA
# build, about 5.5 GB, kept out of CI); this makes a venv for them once (in $TORCHVISION_VENV, default
# /tmp/glasstorch-torchvision-venv) and runs the comparison tests there.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="${TORCHVISION_VENV:-/tmp/glasstorch-torchvision-venv}"
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    case "$(uname -m)" in
        aarch64) "$venv/bin/pip" install -q torch==2.9.1 torchvision==0.24.1 ;;
        *) "$venv/bin/pip" install -q torch==2.14.1 torchvision==0.29.1 ;;
    esac
    "$venv/bin/pip" install -q pytest
fi
"$venv/bin/pip" install -q -e "$repo"
cd "$here"
"$venv/bin/python" -m pytest -q -p no:cacheprovider "$@" test_vision_against_torchvision.py
