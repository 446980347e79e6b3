"""Browser tests: a real server on loopback with the real seed, driven in Debian's Chromium.

The server runs in its own process on its own database (SQLite file, or the `<name>_e2e`
PostgreSQL database beside DATABASE_URL's `<name>` when it is set), migrated and loaded with
`load_seed` exactly as `make run` does, so these tests see what a visitor sees.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _e2e_database_url() -> str | None:
    url = os.environ.get("DATABASE_URL")
    if not url:
        return None
    parts = urlsplit(url)
    name = parts.path.strip("/") or "malaka"
    return urlunsplit(parts._replace(path=f"/{name}_e2e"))


def _recreate_postgres(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        name = parts.path.strip("/")
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


@pytest.fixture(scope="session")
def server_env(tmp_path_factory) -> dict:
    """The environment of the browser tests' server (its settings, database and media)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "lms.settings.e2e", "PYTHONUNBUFFERED": "1"}
    db_url = _e2e_database_url()
    if db_url:
        _recreate_postgres(db_url)
        env["DATABASE_URL"] = db_url
    else:
        db_file = tmp_path_factory.mktemp("e2e") / "e2e.sqlite3"
        env["DATABASE_URL"] = f"sqlite:///{db_file}"
    env["MEDIA_ROOT"] = str(tmp_path_factory.mktemp("media"))
    return env


@pytest.fixture(scope="session")
def manage(server_env):
    """Run a management command against the server's database; returns what it printed."""

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=server_env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    return run


@pytest.fixture(scope="session")
def site_url(tmp_path_factory, server_env) -> str:
    env = server_env
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], env=env, check=True, cwd=ROOT)
    subprocess.run(
        [*manage, "load_seed", "--staff-per-centre", "2"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )
    port = _free_port()
    log = open(tmp_path_factory.mktemp("log") / "server.log", "w")  # noqa: SIM115
    server = subprocess.Popen(
        [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"the server stopped; see {log.name}") from None
            time.sleep(0.2)
    yield f"http://127.0.0.1:{port}"
    server.terminate()
    server.wait(timeout=20)
    log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    executable = os.environ.get("MALAKA_CHROMIUM") or shutil.which("chromium")
    if not executable:
        pytest.fail("Chromium is not installed (apt-get install chromium); .ci/run installs it.")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser, site_url):
    context = browser.new_context(base_url=site_url, viewport={"width": 390, "height": 844})
    tab = context.new_page()
    tab.set_default_timeout(15000)
    yield tab
    context.close()
