"""A class on one machine: a real JupyterHub (with its configurable-http-proxy) set up by
`scripts/class`, four learners as local users, and one lesson notebook run for each of them at
the same time through the hub's and their servers' APIs.

Checks that every learner's kernel starts from the shared build (nothing of `lessons` compiled
per learner, the shared build unchanged, read-only to them), that every cell succeeds, and that
the four learners see the same outputs (the lessons are deterministic). Reports time to first
result and peak memory per learner, and the sizing that follows, in tests/artifacts/hub.json.

Needs root (it creates the learners' accounts). The class directory is kept between runs in
/var/tmp (LESSONS_CLASS_TEST_DIR) so a second run only refreshes it; the test passes from an
empty one, just more slowly.
"""

import json
import os
import pathlib
import pwd
import secrets
import shutil
import subprocess
import threading
import time

import pytest
import requests

from jupyter_api import code_cells, free_port, run_notebook

REPO = pathlib.Path(__file__).resolve().parent.parent
CLASS_DIR = pathlib.Path(os.environ.get("LESSONS_CLASS_TEST_DIR", "/var/tmp/lessons-class-test"))
LEARNERS = [f"lessons-learner{n}" for n in range(1, 5)]
NOTEBOOK = "03-physical-time-and-lamport.ipynb"
ARTIFACTS = REPO / "tests/artifacts"

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("useradd") is None,
    reason="a hub with local learners needs root and useradd",
)


def files_and_times(root: pathlib.Path) -> dict:
    return {
        str(path): path.stat().st_mtime_ns
        for path in root.rglob("*")
        if path.is_file() and not path.is_symlink() and path.name != "lock"
    }


class MemoryWatch:
    """Samples, twice a second, the resident memory of every process each learner owns."""

    def __init__(self, users):
        self.uids = {pwd.getpwnam(user).pw_uid: user for user in users}
        self.peak = {user: 0 for user in users}
        self.done = threading.Event()
        self.thread = threading.Thread(target=self.watch, daemon=True)

    def sample(self):
        totals = {user: 0 for user in self.peak}
        for status in pathlib.Path("/proc").glob("[0-9]*/status"):
            try:
                fields = dict(
                    line.split(":", 1) for line in status.read_text().splitlines() if ":" in line
                )
            except (OSError, ValueError):
                continue
            user = self.uids.get(int(fields.get("Uid", "-1").split()[0]))
            if user and "VmRSS" in fields:
                totals[user] += int(fields["VmRSS"].split()[0]) * 1024
        for user, total in totals.items():
            self.peak[user] = max(self.peak[user], total)

    def watch(self):
        while not self.done.wait(0.5):
            self.sample()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.done.set()
        self.thread.join()


@pytest.fixture(scope="module")
def class_dir():
    subprocess.run([str(REPO / "scripts/class"), str(CLASS_DIR)], check=True)
    for user in LEARNERS:
        if subprocess.run(["id", user], capture_output=True).returncode != 0:
            subprocess.run(["useradd", "--create-home", user], check=True)
        # Each run starts the learners as new: their notebooks and caches made afresh.
        home = pathlib.Path(pwd.getpwnam(user).pw_dir)
        shutil.rmtree(home / "lessons-class", ignore_errors=True)
        shutil.rmtree(home / ".cache/lessons-kernel", ignore_errors=True)
    return CLASS_DIR


@pytest.fixture(scope="module")
def hub(class_dir, tmp_path_factory):
    token = secrets.token_hex(16)
    port, api_port, hub_port = free_port(), free_port(), free_port()
    state = tmp_path_factory.mktemp("hub")
    config = state / "test_config.py"
    config.write_text(f"""
load_subconfig({str(class_dir / 'jupyterhub_config.py')!r})
c.JupyterHub.bind_url = "http://127.0.0.1:{port}"
c.JupyterHub.hub_bind_url = "http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.JupyterHub.db_url = "sqlite:///{state}/hub.sqlite"
c.JupyterHub.cookie_secret_file = "{state}/cookie_secret"
c.ConfigurableHTTPProxy.pid_file = "{state}/proxy.pid"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = {secrets.token_hex(8)!r}
c.Authenticator.allowed_users = {set(LEARNERS)!r}
c.JupyterHub.services = [{{"name": "class-test", "api_token": {token!r}}}]
c.JupyterHub.load_roles = [{{
    "name": "class-test", "services": ["class-test"],
    "scopes": ["admin:users", "admin:servers", "tokens", "access:servers"],
}}]
""")
    log = open(state / "hub.log", "w")
    process = subprocess.Popen(
        [str(class_dir / "venv/bin/jupyterhub"), "-f", str(config)],
        cwd=state, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "CLASS_DIR": str(class_dir)},
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            if requests.get(f"{base}/hub/api/", timeout=5).ok:
                break
        except requests.ConnectionError:
            pass
        assert process.poll() is None, (state / "hub.log").read_text()
        assert time.monotonic() < deadline, (state / "hub.log").read_text()
        time.sleep(0.5)
    yield {"base": base, "token": token, "log": state / "hub.log"}
    process.terminate()
    process.wait(timeout=60)
    log.close()


def test_four_learners_run_a_lesson_at_once_from_the_shared_build(class_dir, hub):
    base, admin = hub["base"], {"Authorization": f"token {hub['token']}"}
    cells = code_cells(REPO / "notebooks" / NOTEBOOK)
    shared = class_dir / "cache"
    shared_before = files_and_times(shared)

    for user in LEARNERS:
        requests.post(f"{base}/hub/api/users/{user}", headers=admin, timeout=30)
    results, errors = {}, []

    def learner(user):
        try:
            started = time.monotonic()
            spawn = requests.post(f"{base}/hub/api/users/{user}/server", headers=admin, timeout=120)
            assert spawn.status_code in (201, 202), spawn.text
            while not requests.get(f"{base}/hub/api/users/{user}", headers=admin,
                                   timeout=30).json()["servers"].get("", {}).get("ready"):
                assert time.monotonic() - started < 180, f"{user}'s server never became ready"
                time.sleep(0.5)
            ready = time.monotonic() - started
            token = requests.post(f"{base}/hub/api/users/{user}/tokens", headers=admin,
                                  json={"note": "class test"}, timeout=30).json()["token"]
            results[user] = run_notebook(
                f"{base}/user/{user}/api", token, f"notebooks/{NOTEBOOK}", cells, started
            )
            results[user]["server_ready_s"] = ready
        except Exception as error:  # noqa: BLE001 (reported below with the learner's name)
            errors.append(f"{user}: {error!r}")

    with MemoryWatch(LEARNERS) as memory:
        threads = [threading.Thread(target=learner, args=(user,)) for user in LEARNERS]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    log = hub["log"].read_text()
    assert not errors, "\n".join(errors) + "\n" + log[-5000:]

    for user in LEARNERS:
        failed = [i for i, status in enumerate(results[user]["statuses"]) if status != "ok"]
        assert not failed, f"{user}: cells {failed} failed: " + str(
            [results[user]["outputs"][i] for i in failed])
    first = results[LEARNERS[0]]["outputs"]
    assert any("<svg" in output or "│" in output or output.strip() for output in first)
    for user in LEARNERS[1:]:
        assert results[user]["outputs"] == first, f"{user} saw other outputs than {LEARNERS[0]}"

    assert log.count("starting from the shared build") >= len(LEARNERS), log[-5000:]
    assert "Compiling lessons" not in log, "a learner's kernel compiled lessons"
    assert files_and_times(shared) == shared_before, "the shared build changed"
    for user in LEARNERS:
        home = pathlib.Path(pwd.getpwnam(user).pw_dir)
        slot = home / ".cache/lessons-kernel/builds/slot-0/crate/target"
        links = [path for path in slot.rglob("*") if path.is_symlink()]
        assert links and all(str(os.readlink(path)).startswith(str(shared)) for path in links)
        # Read-only to the learner: the shared files are root's and not writable by others.
        assert all(not (path.resolve().stat().st_mode & 0o022) for path in links[:50])
        assert all(path.resolve().stat().st_uid == 0 for path in links[:50])

    peak = max(memory.peak.values())
    first_result = max(results[user]["first_result_s"] for user in LEARNERS)
    report = {
        "notebook": NOTEBOOK,
        "learners": len(LEARNERS),
        "cores": os.cpu_count(),
        "per_learner": {
            user: {
                "server_ready_s": round(results[user]["server_ready_s"], 1),
                "first_result_s": round(results[user]["first_result_s"], 1),
                "notebook_done_s": round(results[user]["done_s"], 1),
                "peak_memory_mb": round(memory.peak[user] / 2**20),
            }
            for user in LEARNERS
        },
        "shared_build_mb": round(sum(
            p.stat().st_size for p in shared.rglob("*") if p.is_file()) / 2**20),
        "sizing": {
            "memory_gb_per_learner": round(peak / 2**30, 2),
            "worst_first_result_s": round(first_result, 1),
        },
    }
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "hub.json").write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps(report, indent=2))


def test_the_class_sees_the_standard_library_offline(class_dir):
    """rust-analyzer (evcxr's type inference) reads the standard library with `cargo metadata`;
    offline, that needs std's own dependencies in the class cargo-home. Without them no cell
    variable of a std type gets a type (found by the image check, whose cargo-home had only
    what lessons needs)."""
    library = class_dir / "toolchain/lib/rustlib/src/rust/library"
    env = {"PATH": f"{class_dir}/toolchain/bin:/usr/bin:/bin", "HOME": "/nonexistent",
           "CARGO_HOME": str(class_dir / "cargo-home"), "CARGO_NET_OFFLINE": "true",
           "__CARGO_TEST_CHANNEL_OVERRIDE_DO_NOT_USE_THIS": "nightly"}
    done = subprocess.run(["cargo", "metadata", "--locked", "--format-version", "1"],
                          cwd=library, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    packages = {package["name"] for package in json.loads(done.stdout)["packages"]}
    assert {"std", "core", "alloc", "hashbrown"} <= packages
