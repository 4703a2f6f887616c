# Shared by scripts/study and scripts/test: build the kernel once, in release, and set up the
# local Python environment. Sourced, not run.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$REPO/target}"
VENV="$REPO/.venv"
KERNEL_BIN="$CARGO_TARGET_DIR/release/lessons-kernel"

say() { printf '\n==> %s\n' "$*"; }

# copy_tree SOURCE DESTINATION: hard links where both are on one file system (no copy at all),
# a real copy otherwise; DESTINATION is replaced.
copy_tree() {
    rm -rf "$2"
    cp -al "$1" "$2" 2>/dev/null || { rm -rf "$2"; cp -a "$1" "$2"; }
}

require_rust() {
    command -v cargo >/dev/null || { echo "cargo not found: install Rust (rustup) first" >&2; exit 1; }
}

build_kernel() {
    require_rust
    say "Building the kernel (release; the first build compiles evcxr and takes about 10 minutes)"
    cargo build --release --locked -p lessons-kernel --manifest-path "$REPO/Cargo.toml"
}

# python_env REQUIREMENTS...: a virtualenv in .venv with these requirement files installed.
python_env() {
    if [ ! -x "$VENV/bin/python" ]; then
        say "Creating the Python environment in $VENV"
        python3 -m venv "$VENV"
        "$VENV/bin/python" -m pip install --quiet --upgrade pip
    fi
    for requirements in "$@"; do
        "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    done
}

install_kernelspec() {
    "$KERNEL_BIN" install --prefix "$VENV"
    # Our copy comes first, whatever else is installed for this user.
    export JUPYTER_PATH="$VENV/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
}

# Debian's Chromium for the browser tests (Playwright drives it; it never downloads a browser).
# Installed with apt only when missing; as root directly, otherwise through sudo.
install_chromium() {
    if command -v chromium >/dev/null; then
        return
    fi
    say "Installing Debian's chromium for the browser tests"
    local sudo=()
    [ "$(id -u)" = 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update
    "${sudo[@]}" apt-get install -y chromium
}
