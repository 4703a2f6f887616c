"""JupyterHub for a class: every learner a local user, our kernel system-wide, one shared build.

`scripts/class` copies this file into the class directory and starts nothing; run
`CLASS_DIR/venv/bin/jupyterhub -f CLASS_DIR/jupyterhub_config.py` as root. Learners log in with
their system accounts (PAM, JupyterHub's default); `tests/test_hub.py` overrides the
authenticator for its made-up learners.

At each learner's first start the hub gives them `~/lessons-class`: their own copy of the
notebooks, which they may edit, and `lessons`, a link to the class's read-only crate, so that a
notebook's `:dep lessons = { path = "../lessons" }` names the crate the shared build was made
from. A learner who wants to change `lessons` replaces the link with a copy; their kernel then
builds that copy in their own cache.
"""

import os
import pwd
import shutil
from pathlib import Path

c = get_config()  # noqa: F821 (JupyterHub provides it)

CLASS_DIR = Path(os.environ.get("CLASS_DIR", Path(__file__).resolve().parent))
WORK_DIR = "lessons-class"

c.JupyterHub.bind_url = os.environ.get("CLASS_HUB_URL", "http://:8000")
c.JupyterHub.db_url = f"sqlite:///{CLASS_DIR / 'state/jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(CLASS_DIR / "state/jupyterhub_cookie_secret")
c.ConfigurableHTTPProxy.command = [
    str(CLASS_DIR / "proxy/node_modules/.bin/configurable-http-proxy")
]
c.ConfigurableHTTPProxy.pid_file = str(CLASS_DIR / "state/jupyterhub-proxy.pid")

c.Spawner.cmd = [str(CLASS_DIR / "venv/bin/jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = f"~/{WORK_DIR}"
c.Spawner.environment = {"JUPYTER_PATH": str(CLASS_DIR / "venv/share/jupyter")}
# Kernels compile cells: the first start of a learner's kernel takes seconds, not minutes.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120


def give_learner_the_lessons(spawner):
    """Runs as root before a learner's server starts: their notebooks and the crate link."""
    user = pwd.getpwnam(spawner.user.name)
    work = Path(user.pw_dir) / WORK_DIR
    if work.exists():
        return
    shutil.copytree(CLASS_DIR / "repo/notebooks", work / "notebooks")
    (work / "lessons").symlink_to(CLASS_DIR / "repo/lessons")
    for path in [work, *work.rglob("*")]:
        os.lchown(path, user.pw_uid, user.pw_gid)


c.Spawner.pre_spawn_hook = give_learner_the_lessons
(CLASS_DIR / "state").mkdir(exist_ok=True)
