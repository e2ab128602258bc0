"""Live fan-out: one `vecinos serve` process holds N public alerts streams; an alert published
by a dispatcher reaches every one of them. Beside it, the fair peer (`peer.py`: bare Starlette
and sse-starlette broadcasting one event) holds the same N streams from the same clients.

`.venv/bin/python -m bench.fanout_live [--streams 10000]`

Per side: how long opening the streams took, publish → receipt per stream (p50/p99/max, from
the moment the publishing request is sent to the moment each stream read its `alert` event,
one wall clock), streams that never got it, the server's CPU for the fan-out and its memory.
On the vecinos side also: one stream past `VECINOS_SSE_MAX_STREAMS` answered 503 with
Retry-After, and `/api/health` and a dispatcher's incident list timed while every stream is
open. Results: a table, `results.json` here, and a section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import httpx
from bench.sections import free_port, write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = Path(sys.executable).parent
TARGET_STREAMS = 10_000
TARGET_P99_SECONDS = 1.0
PROBES = 20
HOLDER = [sys.executable, "-m", "bench.fanout_live.holders"]


@dataclass
class Side:
    name: str
    streams: int
    ready: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    open_seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    missing: int = 0
    fanout_cpu_seconds: float = 0.0
    rss_mb: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> dict[str, Any]:
        cuts = (
            statistics.quantiles(self.latencies, n=100) if len(self.latencies) > 1 else [0.0] * 99
        )
        return {
            "streams_asked": self.streams,
            "streams_open": self.ready,
            "refused": self.refused,
            "failed": self.failed,
            "open_seconds": round(self.open_seconds, 2),
            "received": len(self.latencies),
            "missing": self.missing,
            "p50_ms": round(cuts[49] * 1000, 1),
            "p99_ms": round(cuts[98] * 1000, 1),
            "max_ms": round(max(self.latencies, default=0.0) * 1000, 1),
            "fanout_cpu_seconds": round(self.fanout_cpu_seconds, 2),
            "server_rss_mb": round(self.rss_mb, 1),
            **self.extra,
        }


# ---- processes ------------------------------------------------------------------------------


@contextmanager
def server(args: list[str], env: dict[str, str], port: int, log: Path) -> Any:
    with log.open("wb") as output:
        process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=output, stderr=output)
        try:
            wait_until_up(port, process, log)
            yield process
        finally:
            process.terminate()
            process.wait(timeout=30)


def wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.time() + 180  # a loaded machine starts slowly
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on port {port} exited:\n{log.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"server on port {port} did not start")


def holders(port: int, path: str, total: int, processes: int) -> list[subprocess.Popen[str]]:
    share = [total // processes + (1 if i < total % processes else 0) for i in range(processes)]
    return [
        subprocess.Popen(
            [*HOLDER, "--port", str(port), "--path", path, "--count", str(count)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for count in share
        if count
    ]


def heard(process: subprocess.Popen[str]) -> dict[str, Any]:
    stdout: IO[str] | None = process.stdout
    assert stdout is not None
    line = stdout.readline()
    if not line:
        raise SystemExit("a stream holder died")
    answer: dict[str, Any] = json.loads(line)
    return answer


def tell_go(process: subprocess.Popen[str], after: int) -> None:
    assert process.stdin is not None
    process.stdin.write(f"go {after}\n")
    process.stdin.flush()


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def open_streams(side: Side, port: int, path: str, processes: int) -> list[subprocess.Popen[str]]:
    clients = holders(port, path, side.streams, processes)
    for said in map(heard, clients):
        side.ready += said["ready"]
        side.failed += said["failed"]
        side.open_seconds = max(side.open_seconds, said["open_seconds"])
        for status, count in said["refused"].items():
            side.refused[status] = side.refused.get(status, 0) + count
    return clients


def fan_out(
    side: Side, clients: list[subprocess.Popen[str]], pid: int, publish: Any, after: int
) -> None:
    for client in clients:
        tell_go(client, after)
    time.sleep(0.5)  # the holders are reading again before the clock starts
    before = cpu_seconds(pid)
    sent_at = time.time()
    publish()
    side.extra["publish_request_ms"] = round((time.time() - sent_at) * 1000, 1)
    for said in map(heard, clients):
        side.latencies += [at - sent_at for at in said["received"]]
        side.missing += said["missing"]
    side.fanout_cpu_seconds = cpu_seconds(pid) - before
    side.rss_mb = rss_mb(pid)
    for client in clients:
        client.wait(timeout=60)


def timed(call: Any) -> tuple[float, int]:
    started = time.perf_counter()
    status: int = call().status_code
    return (time.perf_counter() - started) * 1000, status


def probes(call: Any) -> dict[str, Any]:
    runs = [timed(call) for _ in range(PROBES)]
    times = sorted(ms for ms, _ in runs)
    return {
        "statuses": sorted({status for _, status in runs}),
        "p50_ms": round(times[len(times) // 2], 1),
        "max_ms": round(times[-1], 1),
    }


# ---- the vecinos side -----------------------------------------------------------------------


def seeded(env: dict[str, str]) -> tuple[str, str]:
    """Migrate and seed the demo coalition; a dispatcher's e-mail and TOTP secret."""
    script = (
        "from vecinos.commands import open_engine\n"
        "from vecinos.config import load_settings\n"
        "from vecinos.crypto import Encryptor\n"
        "from vecinos.db import make_session_factory, transaction, utcnow\n"
        "from vecinos.demo.seed import seed\n"
        "from vecinos.accounts.models import Role\n"
        "from vecinos.migrations import upgrade\n"
        "import json\n"
        "s = load_settings(); e = open_engine(s); upgrade(e)\n"
        "with transaction(make_session_factory(e)) as db:\n"
        "    r = seed(db, now=utcnow(), encryptor=Encryptor(s.secret, 'totp', s.old_secrets),"
        " coalition_name=s.coalition_name, area=s.service_area_geojson)\n"
        "who = next(l for l in r.logins if Role.DISPATCHER in l.roles and l.totp_secret)\n"
        "print(json.dumps([who.email, who.totp_secret]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, cwd=ROOT, check=True, capture_output=True
    )
    email, secret = json.loads(out.stdout.decode().strip().splitlines()[-1])
    return email, secret


def signed_in(base: str, email: str, secret: str) -> httpx.Client:
    from vecinos.accounts import totp
    from vecinos.db import utcnow
    from vecinos.demo.seed import DEMO_PASSWORD

    staff = httpx.Client(base_url=base, timeout=30)
    me = staff.post("/api/auth/login", json={"email": email, "password": DEMO_PASSWORD})
    staff.headers["X-CSRF-Token"] = me.raise_for_status().json()["csrf_token"]
    me = staff.post("/api/auth/totp", json={"code": totp.code_at(secret, utcnow())})
    staff.headers["X-CSRF-Token"] = me.raise_for_status().json()["csrf_token"]
    return staff


def publisher(staff: httpx.Client) -> tuple[Any, int]:
    """A call that publishes an update for a confirmed incident, and that incident's id: a
    resident reports, the dispatcher verifies and confirms (which may alert by itself)."""
    report = {
        "activity": "agents_on_foot",
        "agency": "ice",
        "agents": 3,
        "location": {"lat": 34.0407, "lon": -118.2468},
        "device_token": "bench-" + secrets.token_hex(12),
        "idempotency_key": secrets.token_hex(16),
    }
    public = str(staff.base_url).rstrip("/")
    httpx.post(f"{public}/api/reports", json=report, timeout=30).raise_for_status()
    reported = staff.get("/api/incidents", params={"state": "reported"}).raise_for_status()
    incident = max(reported.json(), key=lambda found: int(found["id"]))  # the one just filed
    path = f"/api/incidents/{incident['id']}"
    for state in ("verifying", "confirmed"):
        staff.post(f"{path}/transition", json={"to": state}).raise_for_status()
    # Confirming publishes an alert by itself (the worker): wait for it, so the streams
    # opened next are not told about it while the bench waits for its own.
    deadline = time.time() + 120
    while not staff.get(f"{path}/alerts").json() and time.time() < deadline:
        time.sleep(0.5)
    kinds = staff.get(f"{path}/alerts/kinds").raise_for_status().json()["allowed"]
    kind = "update" if "update" in kinds else "confirmed"

    def publish() -> None:
        answer = staff.post(f"{path}/alerts", json={"kind": kind})
        if answer.status_code != 201:
            raise SystemExit(f"publishing answered {answer.status_code}: {answer.text}")

    return publish, incident["id"]


def vecinos_side(streams: int, processes: int, work: Path) -> Side:
    port = free_port()
    env = {
        **os.environ,
        "VECINOS_DATA_DIR": str(work / "vecinos"),
        "VECINOS_DATABASE_URL": "",
        "VECINOS_SECRET_KEY": secrets.token_urlsafe(48),
        "VECINOS_LOG_LEVEL": "WARNING",
        "VECINOS_SSE_MAX_STREAMS": str(streams),
        "VECINOS_ALERT_APPROVAL_RECIPIENTS": "1000000",
        "VECINOS_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "VECINOS_COOKIE_SECURE": "false",
        # The bench's one report sets up the incident; a proof costs the phone, not the server.
        "VECINOS_REPORT_PROOF_OF_WORK": "false",
    }
    email, secret = seeded(env)
    side = Side("vecinos serve", streams)
    command = [str(BIN / "vecinos"), "serve", "--port", str(port)]
    with server(command, env, port, work / "vecinos.log") as process:
        base = f"http://127.0.0.1:{port}"
        staff = signed_in(base, email, secret)
        publish, incident_id = publisher(staff)
        clients = open_streams(side, port, "/api/alerts/stream?lang=es", processes)
        past = httpx.Client(base_url=base, timeout=30)
        with past.stream("GET", "/api/alerts/stream") as one_more:
            side.extra["past_the_cap"] = {
                "status": one_more.status_code,
                "retry_after": one_more.headers.get("Retry-After"),
            }
        side.extra["health_while_open"] = probes(lambda: past.get("/api/health"))
        side.extra["staff_while_open"] = probes(lambda: staff.get(f"/api/incidents/{incident_id}"))
        side.extra["open_files_limit"] = open_files_limit(process.pid)
        earlier = staff.get(f"/api/incidents/{incident_id}/alerts").json()
        fan_out(side, clients, process.pid, publish, max((a["id"] for a in earlier), default=0))
    return side


def open_files_limit(pid: int) -> int:
    for line in Path(f"/proc/{pid}/limits").read_text().splitlines():
        if line.startswith("Max open files"):
            return int(line.split()[3])
    return 0


def peer_side(streams: int, processes: int, work: Path, body: str) -> Side:
    port = free_port()
    side = Side("peer: Starlette + sse-starlette", streams)
    command = [sys.executable, "-m", "bench.fanout_live.peer", str(port)]
    with server(command, dict(os.environ), port, work / "peer.log") as process:
        clients = open_streams(side, port, "/stream", processes)
        base = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
        side.extra["health_while_open"] = probes(lambda: base.get("/api/health"))
        fan_out(side, clients, process.pid, lambda: base.post("/publish", content=body), 0)
    return side


# ---- report ---------------------------------------------------------------------------------

ROWS = [
    ("streams open", "streams_open"),
    ("refused / failed while opening", None),
    ("opening all took (s)", "open_seconds"),
    ("alert received by", "received"),
    ("alert missing", "missing"),
    ("the publishing request took (ms)", "publish_request_ms"),
    ("publish → receipt p50 (ms)", "p50_ms"),
    ("publish → receipt p99 (ms)", "p99_ms"),
    ("publish → receipt max (ms)", "max_ms"),
    ("server CPU for the fan-out (s)", "fanout_cpu_seconds"),
    ("server memory, RSS (MB)", "server_rss_mb"),
]


def table(results: dict[str, Any]) -> str:
    ours, peer = results["vecinos"], results["peer"]
    lines = ["| measure | vecinos serve | peer: Starlette + sse-starlette |", "|---|---|---|"]
    for shown, key in ROWS:
        if key is None:
            cells = [f"{sum(s['refused'].values())} / {s['failed']}" for s in (ours, peer)]
        else:
            cells = [str(ours[key]), str(peer[key])]
        lines.append(f"| {shown} | {cells[0]} | {cells[1]} |")
    health, staff = ours["health_while_open"], ours["staff_while_open"]
    cap = ours["past_the_cap"]
    lines += [
        f"| `/api/health` while open, p50 / max (ms) | {health['p50_ms']} / {health['max_ms']}"
        f" {health['statuses']} | {peer['health_while_open']['p50_ms']} /"
        f" {peer['health_while_open']['max_ms']} {peer['health_while_open']['statuses']} |",
        f"| a dispatcher's incident while open, p50 / max (ms) | {staff['p50_ms']} /"
        f" {staff['max_ms']} {staff['statuses']} | n/a |",
        f"| one stream past the cap | {cap['status']}, Retry-After {cap['retry_after']} | no cap |",
        f"| server's open-files limit | {ours['open_files_limit']} | (raised the same way) |",
    ]
    return "\n".join(lines)


def verdicts(results: dict[str, Any]) -> dict[str, bool]:
    ours = results["vecinos"]
    return {
        "streams": ours["streams_open"] >= TARGET_STREAMS,
        "p99": ours["missing"] == 0 and ours["p99_ms"] <= TARGET_P99_SECONDS * 1000,
        "cap_503": ours["past_the_cap"]["status"] == 503,
        "health_and_staff": ours["health_while_open"]["statuses"] == [200]
        and ours["staff_while_open"]["statuses"] == [200],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", type=int, default=TARGET_STREAMS)
    parser.add_argument("--holders", type=int, default=4, help="client processes")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/benchmarks.md alone")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="vecinos-live-bench-"))
    load_before = os.getloadavg()
    ours = vecinos_side(options.streams, options.holders, work)
    body = json.dumps({"text": "x" * 900})  # about the size of one alert's public JSON
    peer = peer_side(options.streams, options.holders, work, body)
    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
        },
        "options": vars(options),
        "vecinos": ours.summary(),
        "peer": peer.summary(),
        "targets": {"streams": TARGET_STREAMS, "p99_ms": TARGET_P99_SECONDS * 1000},
    }
    results["met"] = verdicts(results)
    text = table(results)
    print(text)
    print(json.dumps({"machine": results["machine"], "met": results["met"]}, indent=2))
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    if not options.no_docs:
        write_docs(text, results)


def write_docs(text: str, results: dict[str, Any]) -> None:
    """Replace (or add) this benchmark's section of docs/benchmarks.md, leaving the rest."""
    machine, met = results["machine"], results["met"]
    write_section(
        "fanout-live",
        [
            "## Live fan-out (`bench/fanout_live`)",
            "",
            "`.venv/bin/python -m bench.fanout_live` seeds the demo coalition on a fresh SQLite",
            "database, starts one `vecinos serve` process with `VECINOS_SSE_MAX_STREAMS` set to",
            "the number of streams, and opens that many public alerts streams",
            "(`/api/alerts/stream?lang=es`) from four client processes (plain asyncio sockets,",
            "each stream waits for its `ready` event). It then asks for one stream more (the",
            "cap's answer), times `/api/health` and a dispatcher's incident while every stream",
            "is open, and has the dispatcher publish an update through the API; each stream",
            "notes when its `alert` event arrived. Publish → receipt runs from the moment the",
            "publishing request is sent (one clock on one machine), so on the vecinos side it",
            "includes the publishing transaction itself (texts, recipients, deliveries) and the",
            "alert's one load from the database. The peer is a bare Starlette",
            "app with sse-starlette broadcasting one event of the same size to the same number",
            "of streams from the same clients: the floor of this stack, without the cap, the",
            "database, the event hub or the per-language text.",
            "",
            f"Last run: {results['when']}, {machine['cpus']} CPUs, Python {machine['python']}."
            f" Load average (1, 5, 15 min) before {machine['load_average_before']}, after"
            f" {machine['load_average_after']}; above the CPU count the machine was busy with"
            " other work and the times include waiting for a CPU.",
            "",
            text,
            "",
            f"Targets: ≥ {TARGET_STREAMS:,} streams on one process: "
            f"{'met' if met['streams'] else 'not met'}; every stream has the alert with p99 ≤"
            f" {TARGET_P99_SECONDS:g} s: {'met' if met['p99'] else 'not met'}; the cap answered"
            f" 503: {'yes' if met['cap_503'] else 'no'}; health and staff answered while open:"
            f" {'yes' if met['health_and_staff'] else 'no'}.",
        ],
    )


if __name__ == "__main__":
    main()
