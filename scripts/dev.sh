#!/usr/bin/env bash
# scripts/dev.sh — the one entry point for working on ma_widgets (scripts/README).
#
#   bash scripts/dev.sh lab     set up, then JupyterLab on notebooks/quickstart.ipynb (127.0.0.1 only)
#   bash scripts/dev.sh test    set up, then ruff check, ruff format --check, lint-imports, mypy, pytest
#   bash scripts/dev.sh setup   only set up (idempotent; a second run changes nothing and is fast)
#   bash scripts/dev.sh test -k health     extra arguments go to pytest (instead of "tests")
#
# Made for a fresh Debian 12 machine where you are root (CI runs `.ci/run` as root with CI=true).
# What `setup` does, each step skipped when already done:
#   1. apt-get install docker.io busybox-static chromium debootstrap docker-registry procps (plus
#      python3-venv when python3 cannot make a venv, nodejs and npm when there is no npm);
#      `apt-get update` runs once, only if needed.
#   2. .venv with python3 (>= 3.10) and `pip install -e '.[test]'` (redone when pyproject.toml
#      changes; a stamp in .venv records what was installed).
#   3. A Docker engine: when `docker` gets no answer and no dockerd runs, start one
#      (`setsid dockerd`, log in /var/log/ma_widgets/dockerd.log) and wait for it, 60 s at most.
#      It keeps running after this script: the tests and the trial panel use it.
#   4. The base image local/python:bookworm (no registry can be reached, so nothing is pulled):
#      debootstrap --variant=minbase --include=python3 from the Debian mirror that apt already
#      uses, then `docker import`. The rootfs tarball is cached in /var/cache/ma_widgets.
#   5. The example model server image ma-widgets/example-model:1 (examples/model_server).
#   6. axe-core (npm, into .artifacts/axe) for the browser tests' accessibility checks; Debian's
#      nodejs and npm are installed in step 1 when there is no npm.
# The test extra of step 2 also brings mypy and its stubs, kubernetes-validate (offline checks
# of rendered manifests) and huaweicloudsdkcore (Huawei's signer, to check ours against).
# Under CI=true a missing dockerd, engine, base image, chromium or axe-core makes setup fail;
# elsewhere setup warns and the Docker/browser tests skip with a reason.
#
# Environment knobs: MA_WIDGETS_LAB_PORT (default: 8888, or a free port), MA_WIDGETS_CACHE_DIR
# (default /var/cache/ma_widgets), PYTHON (interpreter for the venv, default python3),
# MA_WIDGETS_BASE_IMAGE (default local/python:bookworm; another tag only to test this script).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV="$ROOT/.venv"
STATE_DIR="$ROOT/.artifacts"            # git-ignored: logs of this checkout's runs
CACHE_DIR=${MA_WIDGETS_CACHE_DIR:-/var/cache/ma_widgets}
LOG_DIR=/var/log/ma_widgets             # machine-wide services (dockerd) log here
BASE_IMAGE=${MA_WIDGETS_BASE_IMAGE:-local/python:bookworm}
ROOTFS_TAR="$CACHE_DIR/python-bookworm-minbase-v1.tar"
APT_PACKAGES=(docker.io busybox-static chromium debootstrap docker-registry procps)
DOCKERD_WAIT_S=60
LOCK_WAIT_S=1800

case "${CI:-}" in 1 | true | TRUE | True | yes) IN_CI=1 ;; *) IN_CI=0 ;; esac
IS_ROOT=0
[ "$(id -u)" = 0 ] && IS_ROOT=1
if [ "$IS_ROOT" = 0 ]; then
    LOG_DIR="$STATE_DIR"
    CACHE_DIR=${MA_WIDGETS_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/ma_widgets}
    ROOTFS_TAR="$CACHE_DIR/python-bookworm-minbase-v1.tar"
fi

say() { printf '[dev.sh] %s\n' "$*"; }
warn() { printf '[dev.sh] WARNING: %s\n' "$*" >&2; }
die() {
    printf '[dev.sh] ERROR: %s\n' "$*" >&2
    exit 1
}
# Monotonic seconds (since boot): deadlines must not jump with the wall clock.
now() { awk '{ printf "%d\n", $1 }' /proc/uptime; }
# A missing part is fatal under CI (the tests would otherwise skip) and a warning elsewhere.
need() {
    if [ "$IN_CI" = 1 ]; then die "$* (required under CI=true)"; fi
    warn "$* — Docker/browser tests will be skipped"
}
show_log_tail() { [ -f "$1" ] && { echo "----- last lines of $1 -----" >&2; tail -n 25 "$1" >&2; }; }

# --- 1. Debian packages -------------------------------------------------------------------------
installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

python_cmd() { echo "${PYTHON:-python3}"; }

setup_apt() {
    local missing=() pkg
    for pkg in "${APT_PACKAGES[@]}"; do installed "$pkg" || missing+=("$pkg"); done
    # npm installs axe-core for the browser tests; a NodeSource nodejs brings its own npm, so
    # Debian's packages are asked for only when there is no npm at all.
    command -v npm >/dev/null 2>&1 || missing+=(nodejs npm)
    # Debian's python3 makes a venv only with python3-venv (ensurepip); pyenv's needs nothing.
    if ! command -v "$(python_cmd)" >/dev/null 2>&1; then
        missing+=(python3 python3-venv)
    elif ! "$(python_cmd)" -c 'import ensurepip' >/dev/null 2>&1; then
        installed python3-venv || missing+=(python3-venv)
    fi
    if [ ${#missing[@]} = 0 ]; then
        say "apt: ${APT_PACKAGES[*]} already installed (skipped)"
        return
    fi
    if [ "$IS_ROOT" = 0 ]; then
        need "not root: cannot apt-get install ${missing[*]}"
        return
    fi
    mkdir -p "$STATE_DIR"
    local log="$STATE_DIR/apt.log" t0
    t0=$(now)
    say "apt: installing ${missing[*]} (log: $log)"
    DEBIAN_FRONTEND=noninteractive apt-get update >"$log" 2>&1 || {
        show_log_tail "$log"
        die "apt-get update failed"
    }
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" \
        >>"$log" 2>&1 || {
        show_log_tail "$log"
        die "apt-get install ${missing[*]} failed"
    }
    say "apt: done in $(($(now) - t0)) s"
}

# --- 2. The virtualenv and the package ----------------------------------------------------------
install_stamp() {
    # What the installed venv must match: the dependency list and the interpreter.
    { cat "$ROOT/pyproject.toml"; "$VENV/bin/python" -VV; echo "$ROOT"; } | sha256sum | cut -c1-64
}

venv_is_current() {
    [ -f "$VENV/.ma_widgets-install-stamp" ] || return 1
    [ "$(cat "$VENV/.ma_widgets-install-stamp")" = "$(install_stamp)" ] || return 1
    local exe
    for exe in pytest ruff lint-imports mypy jupyter ma-widgets; do [ -x "$VENV/bin/$exe" ] || return 1; done
    # The editable install must point at THIS checkout (a copied .venv points elsewhere).
    local origin
    origin=$(cd / && "$VENV/bin/python" -c \
        'import importlib.util as u; print(u.find_spec("ma_widgets").origin)' 2>/dev/null) || return 1
    [ "$origin" = "$ROOT/ma_widgets/__init__.py" ]
}

setup_venv() {
    local py
    py=$(python_cmd)
    if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
        "$py" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null \
            || die "$py is missing or older than 3.10 (set PYTHON=/path/to/python3.10+)"
        say "venv: creating $VENV with $("$py" -V 2>&1)"
        rm -rf "$VENV"
        "$py" -m venv "$VENV"
    fi
    "$VENV/bin/python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
        || die "$VENV has Python < 3.10: remove it and rerun"
    if venv_is_current; then
        say "venv: ma_widgets[test] already installed in $VENV (skipped)"
        return
    fi
    mkdir -p "$STATE_DIR"
    local log="$STATE_DIR/pip.log" t0
    t0=$(now)
    say "venv: pip install -e '.[test]' (log: $log)"
    rm -f "$VENV/.ma_widgets-install-stamp"
    (cd "$ROOT" && "$VENV/bin/python" -m pip install --disable-pip-version-check \
        --progress-bar off -e '.[test]') >"$log" 2>&1 || {
        show_log_tail "$log"
        die "pip install -e '.[test]' failed"
    }
    install_stamp >"$VENV/.ma_widgets-install-stamp"
    venv_is_current || die "pip install finished but $VENV does not import ma_widgets from $ROOT"
    say "venv: installed in $(($(now) - t0)) s"
}

# --- 3. The Docker engine ------------------------------------------------------------------------
engine_answers() { timeout 10 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

setup_dockerd() {
    if ! command -v dockerd >/dev/null 2>&1; then
        need "dockerd is not installed (apt-get install docker.io)"
        return
    fi
    if engine_answers; then
        say "docker: engine $(docker version --format '{{.Server.Version}}') answers (skipped)"
        return
    fi
    local pid
    pid=$(pgrep -x dockerd | head -n1 || true)
    if [ -n "$pid" ]; then
        # Never start a second daemon: one is running (maybe still starting): wait for it.
        say "docker: dockerd (pid $pid) runs but does not answer yet; waiting"
    elif [ "$IS_ROOT" = 0 ]; then
        need "no Docker engine answers and only root can start dockerd"
        return
    else
        mkdir -p "$LOG_DIR"
        say "docker: starting dockerd (log: $LOG_DIR/dockerd.log)"
        # 9>&-: the daemon outlives us and must not keep holding the setup lock.
        setsid dockerd >"$LOG_DIR/dockerd.log" 2>&1 </dev/null 9>&- &
        pid=$!
    fi
    local deadline=$(($(now) + DOCKERD_WAIT_S))
    until engine_answers; do
        if ! kill -0 "$pid" 2>/dev/null; then
            show_log_tail "$LOG_DIR/dockerd.log"
            need "dockerd (pid $pid) exited before answering"
            return
        fi
        if [ "$(now)" -ge "$deadline" ]; then
            show_log_tail "$LOG_DIR/dockerd.log"
            need "the Docker engine did not answer within ${DOCKERD_WAIT_S} s"
            return
        fi
        sleep 0.5
    done
    say "docker: engine $(docker version --format '{{.Server.Version}}') answers (dockerd pid $pid)"
}

# --- 4. The base image local/python:bookworm ---------------------------------------------------
# The Debian archive URL apt is configured with (deb822 .sources or one-line .list files), so
# debootstrap reaches the same mirror (and proxy) apt does. Empty when none is found.
debian_mirror() {
    python3 - <<'PY'
import glob, re

def paragraphs(text):
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]

found = []  # (rank, uri): rank 0 = serves bookworm itself, 1 = another Debian suite
for path in sorted(glob.glob("/etc/apt/sources.list.d/*.sources")):
    for para in paragraphs(open(path, encoding="utf-8", errors="replace").read()):
        fields = {}
        for line in para.splitlines():
            if line.startswith("#") or ":" not in line or line[:1].isspace():
                continue
            key, _, value = line.partition(":")
            fields[key.strip().lower()] = value.split()
        if fields.get("enabled", ["yes"])[0].lower() == "no" or "deb" not in fields.get("types", []):
            continue
        suites, comps = fields.get("suites", []), fields.get("components", [])
        if "main" not in comps:
            continue
        for uri in fields.get("uris", []):
            if "bookworm" in suites:
                found.append((0, uri))
            elif not any(s.endswith(("-security", "-updates", "-backports")) for s in suites):
                found.append((1, uri))
for path in ["/etc/apt/sources.list", *sorted(glob.glob("/etc/apt/sources.list.d/*.list"))]:
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
    except OSError:
        continue
    for line in lines:
        line = re.sub(r"\[[^]]*\]", "", line.split("#", 1)[0]).split()
        if len(line) >= 4 and line[0] == "deb" and "main" in line[3:]:
            if line[2] == "bookworm":
                found.append((0, line[1]))
            elif not line[2].endswith(("-security", "-updates", "-backports")):
                found.append((1, line[1]))
debian = [f for f in found if "debian" in f[1]] or found
print(sorted(debian)[0][1] if debian else "")
PY
}

build_rootfs_tarball() {
    mkdir -p "$CACHE_DIR"
    local mirror log="$STATE_DIR/debootstrap.log" work t0
    mirror=$(debian_mirror)
    if [ -z "$mirror" ]; then
        warn "no Debian mirror found in /etc/apt/sources.list(.d); using debootstrap's default"
    fi
    # debootstrap fetches with wget, which only knows the environment's proxy, not apt's.
    local apt_proxy=""
    eval "$(apt-config shell apt_proxy Acquire::http::Proxy 2>/dev/null || true)"
    if [ -n "$apt_proxy" ] && [ -z "${http_proxy:-}" ]; then export http_proxy="$apt_proxy"; fi
    work=$(mktemp -d "$CACHE_DIR/rootfs.XXXXXX")
    # shellcheck disable=SC2064  # expand $work now: the trap must remove this very directory
    trap "cleanup_rootfs '$work'" EXIT
    t0=$(now)
    say "image: debootstrap --variant=minbase --include=python3 bookworm ${mirror:-<default>} (log: $log)"
    mkdir -p "$STATE_DIR"
    debootstrap --variant=minbase --include=python3 bookworm "$work/rootfs" ${mirror:+"$mirror"} \
        >"$log" 2>&1 || {
        show_log_tail "$log"
        die "debootstrap failed"
    }
    rm -rf "$work/rootfs/var/cache/apt/archives/"*.deb "$work/rootfs/var/lib/apt/lists/"*
    tar --numeric-owner -C "$work/rootfs" -cf "$work/rootfs.tar" .
    mv "$work/rootfs.tar" "$ROOTFS_TAR" # atomic: a half-written tarball is never cached
    cleanup_rootfs "$work"
    trap - EXIT
    say "image: rootfs cached as $ROOTFS_TAR in $(($(now) - t0)) s"
}

cleanup_rootfs() {
    # debootstrap mounts /proc and /sys inside the target; never rm -rf through a mount.
    local m
    awk -v w="$1" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
        umount -l "$m" 2>/dev/null || true
    done
    rm -rf "$1"
}

setup_base_image() {
    if ! engine_answers; then
        need "no Docker engine: cannot provide $BASE_IMAGE"
        return
    fi
    if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        say "image: $BASE_IMAGE present (skipped)"
        return
    fi
    if [ "$IS_ROOT" = 0 ]; then
        need "$BASE_IMAGE is missing and only root can debootstrap it"
        return
    fi
    command -v debootstrap >/dev/null 2>&1 || die "debootstrap is not installed"
    if [ -s "$ROOTFS_TAR" ]; then
        say "image: reusing cached rootfs $ROOTFS_TAR"
    else
        build_rootfs_tarball
    fi
    local t0
    t0=$(now)
    docker import --change 'CMD ["python3"]' --change 'ENV LANG=C.UTF-8' \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        "$ROOTFS_TAR" "$BASE_IMAGE" >/dev/null || die "docker import of $ROOTFS_TAR failed"
    # Prove the image serves what model servers need (http.server is not in python3-minimal).
    docker run --rm --network none "$BASE_IMAGE" python3 -c 'import http.server, json' \
        || die "$BASE_IMAGE was imported but cannot run python3 -c 'import http.server'"
    say "image: $BASE_IMAGE imported and checked in $(($(now) - t0)) s"
}

# The example model server image that the notebooks, the README tour and the trial tests use.
# Rebuilt when server.py or the Dockerfile changed: the label holds the same digest the trial
# tests' fixture computes (sha256 of server.py followed by the Dockerfile, first 16 hex digits).
EXAMPLE_IMAGE=ma-widgets/example-model:1
setup_example_image() {
    engine_answers && docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || return 0
    local dir="$ROOT/examples/model_server" digest current
    digest=$(cat "$dir/server.py" "$dir/Dockerfile" | sha256sum | cut -c1-16)
    current=$(docker image inspect -f '{{ index .Config.Labels "ma_widgets.server_sha" }}' \
        "$EXAMPLE_IMAGE" 2>/dev/null || true)
    if [ "$current" = "$digest" ]; then
        say "image: $EXAMPLE_IMAGE present (skipped)"
        return
    fi
    docker build -q --label "ma_widgets.server_sha=$digest" -t "$EXAMPLE_IMAGE" "$dir" >/dev/null \
        || die "docker build of $EXAMPLE_IMAGE failed"
    say "image: $EXAMPLE_IMAGE built"
}

# axe-core, the accessibility checker the browser tests inject into pages (tests/e2e/a11y.py
# looks for it here). Reinstalled only when AXE_SPEC changes.
AXE_SPEC=axe-core@4.10
AXE_DIR="$ROOT/.artifacts/axe"
setup_node_tools() {
    local js="$AXE_DIR/node_modules/axe-core/axe.min.js" stamp="$AXE_DIR/.ma_widgets-spec"
    if [ -s "$js" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$AXE_SPEC" ]; then
        say "node: $AXE_SPEC present in ${AXE_DIR#"$ROOT/"} (skipped)"
        return
    fi
    if ! command -v npm >/dev/null 2>&1; then
        need "npm is not installed (apt-get install nodejs npm): no axe-core for the browser tests"
        return
    fi
    mkdir -p "$AXE_DIR"
    local log="$STATE_DIR/npm.log" t0
    t0=$(now)
    say "node: npm install --prefix ${AXE_DIR#"$ROOT/"} $AXE_SPEC (log: $log)"
    rm -f "$stamp"
    npm install --prefix "$AXE_DIR" --no-audit --no-fund --no-save "$AXE_SPEC" >"$log" 2>&1 || {
        show_log_tail "$log"
        need "npm install $AXE_SPEC failed"
        return
    }
    [ -s "$js" ] || die "npm install $AXE_SPEC finished but $js is missing"
    echo "$AXE_SPEC" >"$stamp"
    say "node: $AXE_SPEC installed in $(($(now) - t0)) s"
}

check_browser() {
    if command -v chromium >/dev/null 2>&1; then
        say "browser: $(command -v chromium) present"
    else
        need "chromium is not installed (apt-get install chromium)"
    fi
}

cmd_setup() {
    local t0
    t0=$(now)
    mkdir -p "$CACHE_DIR" 2>/dev/null || true
    # One setup at a time on this machine: apt, dockerd and the image are shared by all checkouts.
    local lock="$CACHE_DIR/setup.lock"
    [ -d "$CACHE_DIR" ] || lock="$ROOT/.artifacts/setup.lock"
    mkdir -p "$(dirname "$lock")"
    exec 9>"$lock"
    if ! flock -n 9; then
        say "waiting for another dev.sh setup on this machine (lock $lock, ${LOCK_WAIT_S} s at most)"
        flock -w "$LOCK_WAIT_S" 9 || die "another setup held $lock for ${LOCK_WAIT_S} s"
    fi
    setup_apt
    setup_venv
    setup_dockerd
    setup_base_image
    setup_example_image
    setup_node_tools
    check_browser
    flock -u 9
    exec 9>&-
    say "setup: done in $(($(now) - t0)) s"
}

# --- test ---------------------------------------------------------------------------------------
cmd_test() {
    local t_start
    t_start=$(now)
    cmd_setup
    cd "$ROOT"
    local paths=() p failed=()
    for p in ma_widgets tests bench notebooks examples; do [ -d "$p" ] && paths+=("$p"); done
    say "run: ruff check ${paths[*]}"
    "$VENV/bin/ruff" check "${paths[@]}" || failed+=("ruff check")
    say "run: ruff format --check ${paths[*]}"
    "$VENV/bin/ruff" format --check "${paths[@]}" || failed+=("ruff format --check")
    say "run: lint-imports"
    "$VENV/bin/lint-imports" --no-cache || failed+=("lint-imports")
    say "run: mypy (strict; configured in pyproject.toml)"
    "$VENV/bin/mypy" || failed+=("mypy")

    local pytest_args=("$@")
    [ ${#pytest_args[@]} = 0 ] && pytest_args=(tests)
    mkdir -p "$STATE_DIR"
    # MA_WIDGETS_PYTEST_LOG: a run inside a run (the setup-script tests) keeps its own log, so
    # it never truncates the outer run's while that is still being written.
    local log="${MA_WIDGETS_PYTEST_LOG:-$STATE_DIR/pytest.log}" rc=0
    say "run: pytest -q -ra --durations=15 ${pytest_args[*]} (CI=${CI:-unset})"
    "$VENV/bin/python" -m pytest -q -ra --durations=15 -p no:cacheprovider "${pytest_args[@]}" \
        2>&1 | tee "$log" || rc=${PIPESTATUS[0]}
    case "$rc" in
    0) ;;
    5) failed+=("pytest (exit 5: no test was collected)") ;;
    *) failed+=("pytest (exit $rc)") ;;
    esac

    local summary
    summary=$(grep -aE '([0-9]+ (passed|failed|errors?|skipped|deselected|xfailed|xpassed)|no tests ran).* in [0-9.]+s' \
        "$log" | tail -n1 || true)
    if [ ${#failed[@]} -gt 0 ]; then
        printf '[dev.sh] FAILED: %s\n' "${failed[@]}" >&2
    else
        say "all checks passed: ruff check, ruff format --check, lint-imports, mypy, pytest"
    fi
    say "test: finished in $(($(now) - t_start)) s"
    # pytest's own summary line closes the output, so whoever reads the last line sees the count.
    echo "${summary:-pytest printed no summary line}"
    [ ${#failed[@]} = 0 ]
}

# --- lab ----------------------------------------------------------------------------------------
free_port() {
    "$VENV/bin/python" - "${MA_WIDGETS_LAB_PORT:-}" <<'PY'
import socket, sys
wanted = [int(sys.argv[1])] if sys.argv[1] else [8888, 0]
for port in wanted:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    print(s.getsockname()[1])
    break
else:
    sys.exit(f"port {wanted[0]} on 127.0.0.1 is taken")
PY
}

cmd_lab() {
    cmd_setup
    cd "$ROOT"
    local nb=notebooks/quickstart.ipynb path port token
    path="lab/tree/$nb"
    if [ ! -f "$nb" ]; then
        warn "$nb does not exist yet: opening the notebooks folder instead"
        path="lab/tree/notebooks"
    fi
    port=$(free_port) || die "no free port on 127.0.0.1"
    token=$("$VENV/bin/python" -c 'import secrets; print(secrets.token_hex(24))')
    local args=(--no-browser --ip=127.0.0.1 --port="$port" --ServerApp.port_retries=0
        --ServerApp.root_dir="$ROOT" --IdentityProvider.token="$token")
    [ "$IS_ROOT" = 1 ] && args+=(--allow-root)
    say "JupyterLab (pid $$, stop with Ctrl-C) will answer at:"
    say "    http://127.0.0.1:$port/$path?token=$token"
    say "the embedded local backend is the default: nothing to configure"
    exec "$VENV/bin/jupyter" lab "${args[@]}"
}

usage() {
    sed -n '2,7p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

main() {
    local cmd=${1:-}
    [ $# -gt 0 ] && shift
    case "$cmd" in
    setup) cmd_setup ;;
    test) cmd_test "$@" ;;
    lab) cmd_lab ;;
    -h | --help | help) usage ;;
    *)
        usage >&2
        exit 2
        ;;
    esac
}

main "$@"
