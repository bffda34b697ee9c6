"""submit-100-items-http: submitting 100-item audits over HTTP to gunicorn.

Gemba: ``POST /api/v1/audits`` with a Bearer token, a fresh ``client_uuid`` per request —
token check, draft creation, validation, the audit row, 100 ``audit_answers`` rows, two
audit-trail events, one commit (SQLite WAL, ``synchronous=FULL``). Baseline: a bare Flask +
SQLAlchemy app (``bench.bare_app``) that stores the same body in one table with the same SQLite
settings. Both run under gunicorn with 2 sync workers on 127.0.0.1 and are loaded by the same
client: a bounded number of requests from a few threads, one connection per request.
"""

from __future__ import annotations

import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.bare_app import DATABASE_VARIABLE, init_database
from bench.common import BENCH_SECRET, PROJECT_ROOT, Result, Target, free_port, note
from bench.data import Seeded, definition_document, full_answers, seed

NAME = "submit-100-items-http"
TARGET = Target(">=", 0.6)
HOST = "127.0.0.1"
WORKERS = 2
#: Requests per measured round and server, and how many are in flight at once.
REQUESTS = 300
CONCURRENCY = 4
ROUNDS = 3
WARMUP_REQUESTS = 24
START_TIMEOUT_S = 30.0
REQUEST_TIMEOUT_S = 30.0


@dataclass(frozen=True, slots=True)
class Server:
    """A gunicorn server this benchmark started."""

    name: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path


@dataclass(frozen=True, slots=True)
class Load:
    """What one server receives: where to post and how to build each body."""

    server: Server
    path: str
    headers: Mapping[str, str]
    body_template: str

    def body(self) -> bytes:
        """The request body with a fresh ``client_uuid``."""
        return self.body_template.replace("@@UUID@@", str(uuid.uuid4())).encode("utf-8")


def _gemba_env(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GEMBA_")}
    env.update(
        GEMBA_ENV="production",
        GEMBA_DATABASE_URL=f"sqlite:///{tmp / 'gemba.sqlite3'}",
        GEMBA_INSTANCE_PATH=str(tmp / "instance"),
        GEMBA_SECRET_KEY=BENCH_SECRET,
    )
    return env


def _prepare_gemba(tmp: Path, env: Mapping[str, str]) -> Seeded:
    """Migrate a fresh database through the CLI, then seed it in this process."""
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "db", "upgrade"],
        cwd=PROJECT_ROOT,
        env=dict(env),
        check=True,
        capture_output=True,
        timeout=120,
    )
    from app import create_app
    from extensions import Database, db

    app = create_app(
        {
            "env": "production",
            "database_url": env["GEMBA_DATABASE_URL"],
            "instance_path": Path(env["GEMBA_INSTANCE_PATH"]),
            "secret_key": BENCH_SECRET,
            "log_json": False,
            "log_level": "WARNING",
        }
    )
    with app.app_context():
        seeded = seed(db.session)
    Database.state(app).engine.dispose()
    return seeded


@contextmanager
def _gunicorn(name: str, target: str, env: Mapping[str, str], tmp: Path) -> Iterator[Server]:
    """Run ``gunicorn target`` on a free loopback port until the block ends."""
    port = free_port()
    log = tmp / f"{name}.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - fixed argument list, our own interpreter
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--bind",
                f"{HOST}:{port}",
                "--workers",
                str(WORKERS),
                "--worker-class",
                "sync",
                "--timeout",
                "60",
                target,
            ],
            cwd=PROJECT_ROOT,
            env=dict(env),
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Server(name, port, process, log)
    try:
        _wait_until_ready(server)
        yield server
    finally:
        _stop(process)


def _wait_until_ready(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(f"{server.name} exited at start-up; see {_tail(server.log)}")
        try:
            status, _ = _request(server.port, "GET", "/healthz", b"", {})
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not answer within {START_TIMEOUT_S:.0f} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()  # gunicorn's master stops its workers on SIGTERM
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def _request(
    port: int, method: str, path: str, body: bytes, headers: Mapping[str, str]
) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_S)
    try:
        connection.request(method, path, body=body or None, headers=dict(headers))
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _post(load: Load) -> tuple[int, bytes]:
    return _request(load.server.port, "POST", load.path, load.body(), load.headers)


def _throughput(load: Load, requests: int) -> float:
    """Send ``requests`` posts, ``CONCURRENCY`` at a time; requests per second.

    Raises:
        RuntimeError: a request was not answered with 201.
    """
    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        started = time.perf_counter()
        outcomes = list(pool.map(lambda _n: _post(load), range(requests)))
        elapsed = time.perf_counter() - started
    failed = [(status, body) for status, body in outcomes if status != 201]
    if failed:
        status, body = failed[0]
        raise RuntimeError(
            f"{load.server.name}: {len(failed)} of {requests} requests failed, first with "
            f"{status}: {body[:300]!r}"
        )
    return requests / elapsed


def run() -> list[Result]:
    """Start both servers, load them alternately, stop them; return the summary figure."""
    document = definition_document()
    answers_json = json.dumps(full_answers(document))
    with tempfile.TemporaryDirectory(prefix="gemba-bench-http-") as name:
        tmp = Path(name)
        gemba_env = _gemba_env(tmp)
        seeded = _prepare_gemba(tmp, gemba_env)
        bare_database = str(tmp / "bare.sqlite3")
        init_database(bare_database)
        bare_env = {k: v for k, v in os.environ.items() if not k.startswith("GEMBA_")}
        bare_env[DATABASE_VARIABLE] = bare_database
        body_template = (
            f'{{"client_uuid": "@@UUID@@", "version_id": {seeded.version_id}, '
            f'"asset_code": {json.dumps(seeded.asset_code)}, "answers": {answers_json}}}'
        )
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        with (
            _gunicorn("gemba", "app:create_app()", gemba_env, tmp) as gemba_server,
            _gunicorn("baseline", "bench.bare_app:create_app()", bare_env, tmp) as bare_server,
        ):
            gemba = Load(
                gemba_server,
                "/api/v1/audits",
                {**headers, "Authorization": f"Bearer {seeded.token}"},
                body_template,
            )
            baseline = Load(bare_server, "/api/v1/audits", headers, body_template)
            for load in (baseline, gemba):
                _throughput(load, WARMUP_REQUESTS)
            base_rates: list[float] = []
            gemba_rates: list[float] = []
            for _ in range(ROUNDS):
                base_rates.append(_throughput(baseline, REQUESTS))
                gemba_rates.append(_throughput(gemba, REQUESTS))
        note(
            f"{NAME}: {ROUNDS} rounds x {REQUESTS} requests, {CONCURRENCY} concurrent, "
            f"{WORKERS} sync workers; body {len(gemba.body()) // 1024} KiB; "
            f"req/s baseline {[round(r) for r in base_rates]}, "
            f"gemba {[round(r) for r in gemba_rates]}"
        )
    base_rate = statistics.median(base_rates)
    gemba_rate = statistics.median(gemba_rates)
    return [
        Result(
            name=NAME,
            baseline=base_rate,
            gemba=gemba_rate,
            unit="req/s",
            ratio=gemba_rate / base_rate,
            target=TARGET,
        )
    ]
