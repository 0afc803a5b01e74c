"""Take the README's screenshots of the widget: JupyterLab in headless Chromium, the quickstart.

    .venv/bin/python scripts/readme_screenshots.py            # writes docs/screenshot-*.png
    .venv/bin/python scripts/readme_screenshots.py --out /tmp/shots --runtime process

Why a script: the pictures must show the widget as it is, and the widget keeps changing; this
redoes them in about a minute instead of by hand. It does what a newcomer does on Binder:
JupyterLab (on 127.0.0.1, with a token) opens on notebooks/quickstart.ipynb, runs every cell,
then the user clicks through the steps. Three pictures, 1280x1000:

1. screenshot-model.png: the step bar and the Model step, after the notebook has run;
2. screenshot-trial.png: the Trial step after a healthy trial, with its live picture and verdict;
3. screenshot-try-it.png: the Try it step calling the deployed local service, with its answer
   (when deploying fails, screenshot-preview.png: the Preview step, instead).

Everything runs in a temp folder laid out like the repository (a copy of notebooks/, a link to
examples/, an empty MA_WIDGETS_HOME), like the browser tests (tests/e2e). Elements are found by
their classes and visible text, never by position. Whatever happens, the script stops what it
started: the trial (Stop), the service (Delete, then every service in the temp home), the
containers of its kernels, the processes run from its temp folder, and JupyterLab with its
kernels (its process group). Exit code 0 when all pictures were written, 1 otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import secrets
import shutil
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from ma_widgets.trial.runtime import OWNER_LABEL, free_port  # noqa: E402
from tests.e2e.pages import run_all_cells  # noqa: E402
from tests.e2e.servers import Server, jupyter_args, jupyter_env, running, start  # noqa: E402
from tests.notebooks.workspace import Workspace, make_workspace, postbuild_config  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]
WIDTH, HEIGHT = 1280, 1000
#: Bounds for a loaded 2-core machine; each is a wait on something visible, never a sleep.
NOTEBOOK_MS = 180_000
TRIAL_MS = 90_000
SERVICE_MS = 90_000
OPEN_ATTEMPTS = 3
LAB_READY = """() => window.jupyterapp?.shell?.currentWidget?.sessionContext !== undefined
  && document.body.dataset.jpThemeLight !== undefined
  && !document.querySelector('.jp-Dialog')"""


def log(message: str) -> None:
    print(f"[screenshots] {message}", flush=True)


# --- the page -------------------------------------------------------------------------------


def step(app: Any, title: str) -> Any:
    """The step bar's button of step ``title`` (its text reads 'N. Title: state')."""
    return app.locator(".ma-step").filter(has_text=re.compile(rf"^\s*\d\.\s*{title}\b"))


def button(panel: Any, text: str) -> Any:
    """A button by its text; ipywidgets puts the icon's glyph before it in the accessible name."""
    return panel.get_by_role("button", name=re.compile(rf"(^|\s){text}$"))


def show_top(app: Any) -> None:
    """Scroll the notebook so the widget's top (its title and step bar) is at the top."""
    app.evaluate("e => e.scrollIntoView({block: 'start'})")


def shot(page: Any, out: Path, name: str) -> Path:
    path = out / name
    page.wait_for_timeout(300)  # let a redraw that was already on its way land
    page.screenshot(path=str(path))
    log(f"wrote {path}")
    return path


def open_quickstart(page: Any, server: Server) -> Any:
    """Land on the quickstart as on Binder, give it the whole width, run it to its end."""
    from playwright.sync_api import expect

    for attempt in range(1, OPEN_ATTEMPTS + 1):
        page.goto(f"{server.url}/?token={server.token}")
        try:
            # The notebook with its session, styled: a loaded machine can fail the theme's CSS.
            page.wait_for_function(LAB_READY, timeout=NOTEBOOK_MS)
            break
        except Exception as error:
            if attempt == OPEN_ATTEMPTS:
                raise
            log(f"JupyterLab did not open cleanly ({type(error).__name__}); loading it again")
    page.evaluate("window.jupyterapp.shell.collapseLeft()")  # the file browser takes 250 px
    run_all_cells(page, NOTEBOOK_MS)
    app = page.locator(".ma-app").first
    # Its last cell lists the registry: the notebook ran to its end.
    expect(page.get_by_text(re.compile(r"0\.0\.1 published"))).to_be_visible(timeout=NOTEBOOK_MS)
    expect(app).to_be_visible()
    return app


def model_step(page: Any, app: Any, out: Path) -> Path:
    step(app, "Model").click()
    show_top(app)
    return shot(page, out, "screenshot-model.png")


def trial_step(page: Any, app: Any, out: Path) -> Path:
    """Run the trial from the Trial step; the picture is taken while it watches the server."""
    from playwright.sync_api import expect

    step(app, "Trial").click()
    trial = app.locator(".ma-trial")
    run = button(trial, "Run")
    expect(run).to_be_enabled(timeout=TRIAL_MS)
    run.click()
    verdict = trial.locator(".ma-verdict")  # "healthy: answered after", never "unhealthy"
    expect(verdict).to_have_text(re.compile(r"^\s*healthy: answered after"), timeout=TRIAL_MS)
    expect(trial.locator(".ma-trial-picture svg")).to_be_visible()
    show_top(app)
    path = shot(page, out, "screenshot-trial.png")
    stop_trial(app)
    return path


def stop_trial(app: Any) -> None:
    """Stop ends the trial and removes its server; Run comes back when it is gone."""
    from playwright.sync_api import expect

    trial = app.locator(".ma-trial")
    stop = button(trial, "Stop")
    if stop.count() and stop.is_enabled():
        stop.click()
        expect(button(trial, "Run")).to_be_enabled(timeout=TRIAL_MS)


def try_it_step(page: Any, app: Any, out: Path) -> Path:
    """Submit, deploy as a local service, send the example request, picture the answer."""
    from playwright.sync_api import expect

    step(app, "Submit").click()
    submit = app.locator(".ma-submit-panel")
    button(submit, "Submit").click()
    expect(step(app, "Submit")).to_contain_text("published", timeout=SERVICE_MS)

    step(app, "Deploy").click()
    deploy = app.locator(".ma-deploy-panel")
    button(deploy, "Deploy").click()
    expect(step(app, "Deploy")).to_contain_text("running", timeout=SERVICE_MS)

    step(app, "Try it").click()
    try_it = app.locator(".ma-try-panel")
    body = try_it.get_by_role("textbox", name="Request body")
    expect(body).to_have_value(re.compile(r"\S"), timeout=SERVICE_MS)  # the schema's example
    button(try_it, "Send").click()
    expect(try_it.locator(".ma-answer")).to_contain_text("HTTP 200", timeout=SERVICE_MS)
    show_top(app)
    return shot(page, out, "screenshot-try-it.png")


def delete_service(app: Any) -> None:
    """Delete the service from the Deploy step, as a user would (the cleanup checks again)."""
    from playwright.sync_api import expect

    if "running" not in step(app, "Deploy").inner_text():
        return
    step(app, "Deploy").click()
    button(app.locator(".ma-deploy-panel"), "Delete").click()
    expect(step(app, "Deploy")).not_to_contain_text("running", timeout=SERVICE_MS)


def preview_step(page: Any, app: Any, out: Path) -> Path:
    from playwright.sync_api import expect

    step(app, "Preview").click()
    expect(app.locator(".ma-preview-text").first).to_be_visible()
    show_top(app)
    return shot(page, out, "screenshot-preview.png")


# --- servers and cleanup --------------------------------------------------------------------


def lab(workspace: Workspace, base: Path, runtime: str) -> Iterator[Server]:
    """JupyterLab serving the workspace, configured as binder/postBuild configures it."""
    extra = {"MA_WIDGETS_HOME": str(workspace.home)}
    if runtime != "auto":
        extra["MA_WIDGETS_NOTEBOOK_RUNTIME"] = runtime
    env = jupyter_env(base / "jupyter", extra)
    postbuild_config(Path(env["JUPYTER_CONFIG_DIR"]))
    port, token = free_port(), secrets.token_hex(16)
    log_file = base / "jupyter-lab.log"
    args = jupyter_args("jupyter-lab", port, token, workspace.root, "LabApp")
    process = start(args, workspace.root, env, log_file)
    server = Server(f"http://127.0.0.1:{port}", token, workspace.root, process, log_file)
    yield from running(server, f"{server.url}/api/status?token={token}", grace_s=15)


def group_members(pgid: int) -> set[int]:
    """The processes of a process group (JupyterLab and the kernels it started)."""
    found = set()
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            with contextlib.suppress(OSError):
                if os.getpgid(int(proc.name)) == pgid:
                    found.add(int(proc.name))
    return found


def remove_services(home: Path) -> None:
    """Delete every service recorded in our temp home (a service outlives its kernel)."""
    from ma_widgets.services import LocalServices, ServiceError

    if not (home / "services").exists():
        return
    manager = LocalServices(home)
    for service_id in manager.store.ids():
        with contextlib.suppress(ServiceError):
            manager.delete(service_id)
            log(f"deleted service {service_id}")


def remove_containers(kernel_pids: set[int]) -> None:
    """Remove the trial containers owned by our kernels (only theirs: the label names them)."""
    owners = {f"{socket.gethostname()}:{pid}" for pid in kernel_pids}
    try:
        import docker

        client = docker.from_env(timeout=10)
    except Exception:  # no engine: no container either
        return
    try:
        for container in client.containers.list(all=True, filters={"label": OWNER_LABEL}):
            if container.labels.get(OWNER_LABEL) in owners:
                with contextlib.suppress(docker.errors.NotFound):
                    container.remove(force=True, v=True)
                    log(f"removed container {container.name}")
    finally:
        client.close()


def kill_processes_under(folder: Path) -> None:
    """Kill processes whose command line names our temp folder (a trial's server process)."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit() or int(proc.name) == os.getpid():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if str(folder) in cmdline:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(proc.name), signal.SIGKILL)
                log(f"killed process {proc.name}")


def take(out: Path, runtime: str) -> list[Path]:
    from playwright.sync_api import sync_playwright

    base = Path(tempfile.mkdtemp(prefix="ma-screenshots-"))
    workspace = make_workspace(base)
    taken: list[Path] = []
    kernel_pids: set[int] = set()
    server_context = contextlib.contextmanager(lab)(workspace, base, runtime)
    try:
        with server_context as server, sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
            context.set_default_timeout(30_000)
            context.route(  # nothing but our own server: the pictures never ask the internet
                "**/*",
                lambda route: (
                    route.continue_()
                    if route.request.url.startswith(("http://127.0.0.1", "data:", "blob:"))
                    else route.abort()
                ),
            )
            page = context.new_page()
            try:
                app = open_quickstart(page, server)
                kernel_pids = group_members(server.process.pid) - {server.process.pid}
                taken.append(model_step(page, app, out))
                try:
                    taken.append(trial_step(page, app, out))
                finally:
                    stop_trial(app)
                try:
                    taken.append(try_it_step(page, app, out))
                except Exception as error:  # deploying is the heavy part: fall back to Preview
                    log(f"no Try it picture ({type(error).__name__}: {error}); taking Preview")
                    taken.append(preview_step(page, app, out))
                finally:
                    try:
                        delete_service(app)
                    except Exception as error:  # remove_services below deletes it anyway
                        log(f"Delete in the page failed ({type(error).__name__}: {error})")
            except Exception:
                failed = base / "failed.png"
                with contextlib.suppress(Exception):
                    page.screenshot(path=str(failed))
                    log(f"the page when it failed: {failed}")
                raise
            finally:
                kernel_pids |= group_members(server.process.pid) - {server.process.pid}
                remove_services(workspace.home)
                browser.close()
    finally:  # JupyterLab and its kernels are stopped by now (its process group)
        remove_services(workspace.home)
        remove_containers(kernel_pids)
        kill_processes_under(base)
        if len(taken) == 3:
            shutil.rmtree(base, ignore_errors=True)
        else:
            log(f"kept {base} (JupyterLab's log: {base / 'jupyter-lab.log'})")
    return taken


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs", help="default: docs/")
    parser.add_argument(
        "--runtime",
        choices=["auto", "docker", "process"],
        default="auto",
        help="the trial's runtime (auto: Docker when it has the example image, as the notebook)",
    )
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        log(f"no Chromium at {CHROMIUM} (bash scripts/dev.sh setup installs it)")
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    try:
        taken = take(args.out, args.runtime)
    except Exception as error:
        log(f"FAILED: {type(error).__name__}: {error}")
        return 1
    log(f"{len(taken)} pictures in {time.monotonic() - began:.0f} s")
    return 0 if len(taken) == 3 else 1


if __name__ == "__main__":
    sys.exit(main())
