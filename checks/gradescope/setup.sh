#!/usr/bin/env bash
# Set up mlp-lab's grading environment in the folder this script sits in.
#
# One script for both places that grade: Gradescope runs it once, as root, when it builds the
# autograder image (it is setup.sh at the root of autograder.zip, unpacked in /autograder/source),
# and the Dockerfile runs the same file. Steps, all run by default, or only those named:
#
#   system   apt packages: Python 3 with venv, bubblewrap (the grader's sandbox), CA certificates
#   python   a virtual environment in .venv with requirements.txt installed (pinned versions)
#   mnist    MNIST downloaded into ./cache and verified against the official SHA-256
#   seed     the grading seed moved out of the source folder, readable by root only
#
#   bash setup.sh                  # everything (needs the network)
#   bash setup.sh python seed      # only these steps
#
# MLP_LAB_PYTHON=/path/to/bin/python makes the python step link that existing environment as
# .venv instead of creating one (no network: for tests, and for machines already set up).
# MLP_LAB_AUTOGRADER_ROOT (default /autograder) is where the seed goes.
set -euo pipefail

SOURCE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="${MLP_LAB_AUTOGRADER_ROOT:-/autograder}"
MIN_PYTHON="3.11"   # numpy 2.4 needs Python 3.11 or newer
STEPS=("$@")
[ ${#STEPS[@]} -gt 0 ] || STEPS=(system python mnist seed)

step_system() {
    if ! command -v apt-get >/dev/null; then
        echo "setup: no apt-get here; install Python >= $MIN_PYTHON with venv and bubblewrap yourself" >&2
        return 0
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends python3 python3-venv bubblewrap ca-certificates
    rm -rf /var/lib/apt/lists/*
}

step_python() {
    cd "$SOURCE"
    if [ -n "${MLP_LAB_PYTHON:-}" ]; then
        rm -rf .venv
        ln -s "$(cd "$(dirname "$MLP_LAB_PYTHON")/.." && pwd)" .venv
    else
        python3 -c "import sys; sys.exit(sys.version_info < tuple(map(int, '$MIN_PYTHON'.split('.'))))" || {
            echo "setup: Python $(python3 -V 2>&1) is too old; mlp-lab needs $MIN_PYTHON or newer" \
                 "(on Gradescope choose the Ubuntu 24.04 base image)" >&2
            exit 1
        }
        python3 -m venv .venv
        .venv/bin/python -m pip install --quiet --upgrade pip
        .venv/bin/python -m pip install --quiet -r requirements.txt
    fi
    .venv/bin/python -c "import checks.grade, mlp_lab, nbval, psutil"
    echo "setup: Python environment ready: $(.venv/bin/python -V)"
}

step_mnist() {
    # The loader downloads the official files into the cache and keeps them only if their
    # SHA-256 is the official one; a failed checksum stops the setup with the file's name.
    env -u MLP_LAB_MNIST_DIR MLP_LAB_CACHE_DIR="$SOURCE/cache" "$SOURCE/.venv/bin/python" -c \
        'import mlp_lab as ml; [ml.load_mnist(s) for s in ("train", "test")]; print("setup: MNIST verified")'
    chmod -R a+rX "$SOURCE/cache"
}

step_seed() {
    if [ -f "$SOURCE/grading-seed" ]; then
        mkdir -p "$ROOT"
        install -m 600 "$SOURCE/grading-seed" "$ROOT/grading-seed"
        rm -f "$SOURCE/grading-seed"
        echo "setup: grading seed moved to $ROOT/grading-seed"
    fi
}

for step in "${STEPS[@]}"; do
    case "$step" in
        system|python|mnist|seed) "step_$step" ;;
        *) echo "setup: unknown step '$step' (steps: system python mnist seed)" >&2; exit 2 ;;
    esac
done
