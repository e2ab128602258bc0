"""Real `vecinos serve` and `vecinos worker` processes for deployment tests, and a reader of
their Server-Sent Events streams.

Every wait here waits for something to happen (a health check that answers, a line in a log,
an event on a stream) and gives up after a bound; nothing sleeps to put things in order.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.browser.fixtures import free_port

START_SECONDS = 180.0  # four processes importing at once: ~10 s idle, 100+ s at load 17
STOP_SECONDS = 15.0
COMMAND = [sys.executable, "-c", "from vecinos.cli import main; main()"]


class Process:
    """One `vecinos …` subprocess; its output goes to a log file, kept for a failing test."""

    def __init__(self, name: str, args: list[str], environment: dict[str, str], logs: Path) -> None:
        self.name = name
        self.log = logs / f"{name}.log"
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(  # noqa: S603 - our own interpreter and module
                [*COMMAND, *args], env=environment, stdout=out, stderr=subprocess.STDOUT
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for(
        self, ready: Callable[[], bool], what: str, seconds: float = START_SECONDS
    ) -> None:
        deadline = time.monotonic() + seconds
        while not ready():
            if self.popen.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited ({self.popen.returncode}) {what}:\n"
                    + self.output()[-3000:]
                )
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"{self.name}: waited {seconds} s {what}:\n" + self.output()[-3000:]
                )
            time.sleep(0.05)  # polling for the event, not ordering anything

    def stop(self) -> None:
        """SIGTERM, then SIGKILL if it does not go: never left running after a test."""
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait(STOP_SECONDS)


class Served(Process):
    """`vecinos serve` on a free port, ready once its health check answers."""

    def __init__(self, name: str, environment: dict[str, str], logs: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        args = ["serve", "--host", "127.0.0.1", "--port", str(self.port)]
        super().__init__(name, args, environment, logs)

    def healthy(self) -> bool:
        try:
            return httpx.get(f"{self.url}/api/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=20)


class Worker(Process):
    """`vecinos worker`, ready once it says it started (it listens by then)."""

    def __init__(self, name: str, environment: dict[str, str], logs: Path) -> None:
        super().__init__(name, ["worker"], environment, logs)

    def started(self) -> bool:
        return "worker started" in self.output()


def environment_for(database_url: str, data_dir: Path, **settings: str) -> dict[str, str]:
    """What every process of one deployment shares: the database, the secret, the data (and
    keyring) directory; the worker runs in processes of its own."""
    return {
        **os.environ,
        "VECINOS_DATABASE_URL": database_url,
        "VECINOS_DATA_DIR": str(data_dir),
        "VECINOS_WORKER_IN_PROCESS": "false",
        "VECINOS_PUBLIC_URL": "http://127.0.0.1",
        "VECINOS_COOKIE_SECURE": "false",  # plain http on loopback
        # As in the rest of the suite: these tests post plain reports; the proof of work
        # itself is tested in tests/reports/test_challenge.py.
        "VECINOS_REPORT_PROOF_OF_WORK": "false",
        "VECINOS_LOG_LEVEL": "INFO",
        **{f"VECINOS_{name.upper()}": value for name, value in settings.items()},
    }


@dataclass
class SseEvent:
    event: str
    data: str

    def json(self) -> Any:
        return json.loads(self.data)


@dataclass
class SseReader:
    """Reads one event stream in a thread; a test waits for the events it expects."""

    client: httpx.Client
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    events: list[SseEvent] = field(default_factory=list)
    failure: BaseException | None = None

    def __post_init__(self) -> None:
        self._arrived = threading.Condition()
        self._response: httpx.Response | None = None
        self._closing = False
        self._thread = threading.Thread(target=self._read, daemon=True)

    def __enter__(self) -> SseReader:
        self._thread.start()
        self.wait_for(lambda e: e.event == "ready", "the stream's ready event")
        return self

    def __exit__(self, *_: object) -> None:
        self._closing = True
        if self._response is not None:
            self._response.close()
        self._thread.join(5)

    def wait_for(
        self, matches: Callable[[SseEvent], bool], what: str, seconds: float = 30.0
    ) -> SseEvent:
        with self._arrived:
            found = self._arrived.wait_for(
                lambda: self.failure is not None or any(matches(e) for e in self.events), seconds
            )
            assert found, f"{self.path}: waited {seconds} s for {what}; heard {self.events}"
            if self.failure is not None and not any(matches(e) for e in self.events):
                raise AssertionError(f"{self.path}: {what}: the stream failed") from self.failure
            return next(e for e in self.events if matches(e))

    def _read(self) -> None:
        try:
            with self.client.stream("GET", self.path, headers=self.headers) as response:
                self._response = response
                assert response.status_code == 200, response.read()
                self._parse(response)
        except BaseException as exc:
            if not self._closing:
                with self._arrived:
                    self.failure = exc
                    self._arrived.notify_all()

    def _parse(self, response: httpx.Response) -> None:
        name, data = "message", list[str]()
        for line in response.iter_lines():
            if line == "":
                if data:
                    with self._arrived:
                        self.events.append(SseEvent(name, "\n".join(data)))
                        self._arrived.notify_all()
                name, data = "message", []
            elif line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())
