"""Read-side benchmark: the alert feed and the alerts page from `vecinos serve` (one process)
beside nginx serving the same bytes, and intake while 256 connections read the feed.

    .venv/bin/python -m bench.readside [--seconds 15] [--connections 256]

Needs `wrk` and `nginx` (Debian: `apt-get install wrk nginx-light`). Prints a table and writes
bench/readside/results.json and this benchmark's section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from bench.intake.run import ROOT, cpu_seconds, drive_wrk, vecinos_env, wrk_script
from bench.paced import drive_at_rate
from bench.sections import write_section

HERE = Path(__file__).resolve().parent
PYTHON = sys.executable
TARGETS = {"per_s": 2000, "p99_ms": 100, "intake_p99_ms": 200}
# What a resident's phone asks for: the Spanish feed and page (`?lang=` names the language, so
# a cache keeps one copy per address). Identity bodies on both sides, the same bytes.
READS = {"feed": "/api/alerts/feed.json?lang=es", "page": "/alerts?lang=es"}
NGINX_FILES = {"feed": "api/alerts/feed.json", "page": "alerts"}
VECINOS_PORT, NGINX_PORT = 8721, 8722
INTAKE_CONNECTIONS = 4  # a busy hotline and the web form at once: a handful of writers

GET_SCRIPT = """
wrk.method = "GET"
wrk.headers["Accept-Encoding"] = "identity"
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p99_us": %d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""

NGINX_CONF = """
daemon off;
user root;
worker_processes 1;
pid {root}/nginx.pid;
error_log {root}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
  uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
  types {{ application/json json; }}
  default_type text/html;
  server {{
    listen 127.0.0.1:{port};
    root {root}/www;
    etag on;
    location / {{ add_header Cache-Control "public, max-age=10"; }}
  }}
}}
"""


@contextmanager
def server(args: list[str], env: dict[str, str], port: int, log: Path) -> Iterator[int]:
    """A server process until the block ends; up once it answers (a loaded machine may take
    a minute to start Python)."""
    with log.open("wb") as output:
        process = subprocess.Popen(args, env=env, cwd=ROOT, stdout=output, stderr=output)
        try:
            deadline = time.monotonic() + 120
            while not answers(port):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"server on port {port} did not start:\n{log.read_text()}")
                time.sleep(0.2)
            yield process.pid
        finally:
            process.terminate()
            process.wait(timeout=30)


def answers(port: int) -> bool:
    try:
        httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)
    except httpx.TransportError:
        return False
    return True


@contextmanager
def nginx(root: Path) -> Iterator[int]:
    """nginx in the foreground on a local port, with one worker process as vecinos has."""
    (root / "tmp").mkdir(exist_ok=True)
    conf = root / "nginx.conf"
    conf.write_text(NGINX_CONF.format(root=root, port=NGINX_PORT))
    with server(
        ["nginx", "-c", str(conf), "-p", str(root)],
        dict(os.environ),
        NGINX_PORT,
        root / "nginx.log",
    ) as pid:
        yield pid


def measured(pid: int, url: str, seconds: float, connections: int, script: Path) -> dict[str, Any]:
    """One wrk run after a warm-up, with the server's CPU time per request and the load."""
    drive_wrk(url, 2, connections, script)  # warm-up, not counted
    load = os.getloadavg()[0]
    before = cpu_seconds(pid)
    result = drive_wrk(url, seconds, connections, script)
    result["server_cpu_ms_per_request"] = (
        1000 * (cpu_seconds(pid) - before) / max(1, result["sent"])
    )
    result["load_average_1min"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    return result


def paced(url: str, seconds: float, connections: int) -> dict[str, Any]:
    """The target's rate offered on a schedule (bench/paced.py): the p99 a reader meets at
    2,000 requests a second, which a saturating closed loop cannot say."""
    identity = [(b"", {"Accept-Encoding": "identity"})]
    return drive_at_rate(
        url, identity, TARGETS["per_s"], seconds, 2, method="GET", connections=connections
    )


def intake_beside_reads(
    pid: int, seconds: float, connections: int, scripts: dict[str, Path]
) -> dict[str, Any]:
    """Reports posted by a few writers, alone and then while `connections` read the feed.

    The writers connect first: a new connection made while 256 others keep the one process
    busy waited for the load to end (see docs/benchmarks.md), which measures accepting, not
    whether reading holds up writing."""
    reports = f"http://127.0.0.1:{VECINOS_PORT}/api/reports"
    alone = measured(pid, reports, seconds, INTAKE_CONNECTIONS, scripts["report"])
    feed = f"http://127.0.0.1:{VECINOS_PORT}{READS['feed']}"
    with ThreadPoolExecutor(1) as writers:
        load = os.getloadavg()[0]
        writing = writers.submit(drive_wrk, reports, seconds, INTAKE_CONNECTIONS, scripts["report"])
        time.sleep(0.3)  # the writers' connections are open before the readers come
        reading = drive_wrk(feed, seconds + 5, connections, scripts["get"])
        during = writing.result()
    during["load_average_1min"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    during["readers_per_s"] = reading["per_s"]
    during["readers_p99_ms"] = reading["p99_ms"]
    with ThreadPoolExecutor(1) as readers:  # the same readers at the read side's target rate
        load = os.getloadavg()[0]
        reading_paced = readers.submit(paced, feed, seconds + 5, connections)
        time.sleep(2.5)  # past the readers' warm-up
        beside_paced = drive_wrk(reports, seconds, INTAKE_CONNECTIONS, scripts["report"])
        beside_paced["readers"] = reading_paced.result()
    beside_paced["load_average_1min"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    return {"alone": alone, "during_reads": during, "during_paced_reads": beside_paced}


def run(seconds: float, connections: int, alerts: int) -> dict[str, Any]:
    root = Path(tempfile.mkdtemp(prefix="vecinos-readside-"))
    try:
        env = vecinos_env(root)
        vecinos = str(Path(PYTHON).parent / "vecinos")
        subprocess.run(
            [vecinos, "db", "upgrade"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )
        subprocess.run(
            [PYTHON, "-m", "bench.readside.seed", "--alerts", str(alerts)],
            env=env,
            cwd=ROOT,
            check=True,
        )
        scripts = {"get": root / "get.lua", "report": wrk_script(root)}
        scripts["get"].write_text(GET_SCRIPT)
        results: dict[str, Any] = {"vecinos": {}, "nginx": {}, "bytes": {}}
        served = ["serve", "--port", str(VECINOS_PORT)]
        with server([vecinos, *served], env, VECINOS_PORT, root / "serve.log") as pid:
            for name, path in READS.items():
                body = httpx.get(
                    f"http://127.0.0.1:{VECINOS_PORT}{path}",
                    headers={"Accept-Encoding": "identity"},
                ).content
                target = root / "www" / NGINX_FILES[name]
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(body)
                results["bytes"][name] = len(body)
                url = f"http://127.0.0.1:{VECINOS_PORT}{path}"
                results["vecinos"][name] = {
                    **measured(pid, url, seconds, connections, scripts["get"]),
                    "paced": paced(url, seconds, connections),
                }
            results["intake"] = intake_beside_reads(pid, seconds, connections, scripts)
        with nginx(root) as pid:
            for name in READS:
                url = f"http://127.0.0.1:{NGINX_PORT}/{NGINX_FILES[name]}"
                results["nginx"][name] = {
                    **measured(pid, url, seconds, connections, scripts["get"]),
                    "paced": paced(url, seconds, connections),
                }
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return results


def verdicts(results: dict[str, Any]) -> dict[str, bool]:
    meets = {}
    for name in READS:
        ours = results["vecinos"][name]
        meets[f"{name}_per_s"] = ours["per_s"] >= TARGETS["per_s"]
        meets[f"{name}_p99_ms"] = ours["paced"]["p99_ms"] <= TARGETS["p99_ms"]
    beside = results["intake"]["during_paced_reads"]
    meets["intake_p99_ms"] = beside["p99_ms"] <= TARGETS["intake_p99_ms"]
    return meets


def table(results: dict[str, Any], meets: dict[str, bool]) -> str:
    rows: list[list[str]] = []
    for name in READS:
        ours, peer = results["vecinos"][name], results["nginx"][name]
        label = f"{name} `{READS[name]}` ({results['bytes'][name]:,} bytes)"
        load = f"{ours['load_average_1min']} / {peer['load_average_1min']}"
        rows += [
            [
                f"{label}: req/s",
                f"{ours['per_s']:.0f}",
                f"{peer['per_s']:.0f}",
                f"≥ {TARGETS['per_s']:,}",
                _met(meets[f"{name}_per_s"]),
                load,
            ],
            [f"{name}: p50 ms", f"{ours['p50_ms']:.1f}", f"{peer['p50_ms']:.1f}", "", "", ""],
            [f"{name}: p99 ms", f"{ours['p99_ms']:.1f}", f"{peer['p99_ms']:.1f}", "", "", ""],
            [
                f"{name} at {TARGETS['per_s']:,}/s offered: answered/s, p50 ms",
                _paced_cell(ours["paced"]),
                _paced_cell(peer["paced"]),
                "",
                "",
                "",
            ],
            [
                f"{name} at {TARGETS['per_s']:,}/s offered: p99 ms, errors",
                f"{ours['paced']['p99_ms']:.1f}, {ours['paced']['errors']}",
                f"{peer['paced']['p99_ms']:.1f}, {peer['paced']['errors']}",
                f"≤ {TARGETS['p99_ms']}",
                _met(meets[f"{name}_p99_ms"]),
                "",
            ],
            [f"{name}: errors", str(ours["errors"]), str(peer["errors"]), "0", "", ""],
            [
                f"{name}: server CPU ms/request",
                f"{ours['server_cpu_ms_per_request']:.3f}",
                f"{peer['server_cpu_ms_per_request']:.3f}",
                "",
                "",
                "",
            ],
        ]
    alone, during = results["intake"]["alone"], results["intake"]["during_reads"]
    paced_beside = results["intake"]["during_paced_reads"]
    readers = results["options"]["connections"]
    rows += [
        [
            f"intake alone ({INTAKE_CONNECTIONS} writers): reports/s, p99 ms",
            f"{alone['per_s']:.0f}, {alone['p99_ms']:.1f}",
            "",
            "",
            "",
            str(alone["load_average_1min"]),
        ],
        [
            f"intake while {readers} connections read the feed flat out: reports/s, p99 ms",
            f"{during['per_s']:.0f}, {during['p99_ms']:.1f}",
            "",
            "",
            "",
            str(during["load_average_1min"]),
        ],
        [
            "… the feed meanwhile: req/s, p99 ms",
            f"{during['readers_per_s']:.0f}, {during['readers_p99_ms']:.1f}",
            "",
            "",
            "",
            "",
        ],
        [
            f"intake while {readers} connections read the feed at {TARGETS['per_s']:,}/s:"
            " reports/s, p99 ms",
            f"{paced_beside['per_s']:.0f}, {paced_beside['p99_ms']:.1f}",
            "",
            f"p99 ≤ {TARGETS['intake_p99_ms']}",
            _met(meets["intake_p99_ms"]),
            str(paced_beside["load_average_1min"]),
        ],
        [
            "… the feed meanwhile: answered/s, p99 ms",
            f"{paced_beside['readers']['answered_per_s']:.0f},"
            f" {paced_beside['readers']['p99_ms']:.1f}",
            "",
            "",
            "",
            "",
        ],
    ]
    header = [
        "measure",
        "vecinos serve (1 process)",
        "nginx (1 worker), same bytes",
        "target",
        "met",
        "load avg (1 min)",
    ]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return "\n".join(lines + ["| " + " | ".join(row) + " |" for row in rows])


def _paced_cell(result: dict[str, Any]) -> str:
    return f"{result['answered_per_s']:.0f}, {result['p50_ms']:.1f}"


def _met(met: bool) -> str:
    return "yes" if met else "**no**"


def reading_of(results: dict[str, Any]) -> list[str]:
    """What the run says beyond the table: how to read it, and what saturation does."""
    cpu = max(results["vecinos"][n]["server_cpu_ms_per_request"] for n in READS)
    return [
        "Reading the run: the req/s rows are wrk flat out (a closed loop, each connection",
        "waiting for its answer); their p99 is no verdict, since at saturation the mean alone",
        "is 256 / throughput and the event loop serves some connections before others. The",
        "p99 targets are judged at 2,000 requests a second offered on a schedule",
        "(`bench/paced.py`, each latency from the moment its request was due), on the same",
        f"256 connections. vecinos spent {cpu:.2f} ms of CPU per request (nginx about 0.02),",
        f"so one process given a whole core answers about {1000 / cpu:,.0f} a second. Both",
        "servers share the two cores with the load generators; a load average above 2 means",
        "other work took CPU too. Intake is judged the same way: writers posting reports",
        "while the readers read at the target's rate; when readers saturate the one process",
        "flat out, writers (and a new connection, such as a health check) wait behind them",
        "(the row 'flat out' shows it). There `vecinos serve --workers N` on PostgreSQL",
        "spreads the load over N processes, and a proxy or CDN honouring the Cache-Control",
        "above answers most readers before they arrive.",
    ]


def redo_docs() -> None:
    """Write the docs section again from results.json (after editing the text)."""
    results = json.loads((HERE / "results.json").read_text())
    write_docs(table(results, results["meets"]), results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--alerts", type=int, default=20, help="active alerts in the feed")
    options = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool):
            raise SystemExit(f"{tool} is needed: apt-get install wrk nginx-light")
    results = run(options.seconds, options.connections, options.alerts)
    results["options"] = vars(options)
    meets = verdicts(results)
    text = table(results, meets)
    print(text)
    results |= {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
        "targets": TARGETS,
        "meets": meets,
    }
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    write_docs(text, results)


def write_docs(text: str, results: dict[str, Any]) -> None:
    """Replace (or add) this benchmark's section of docs/benchmarks.md, leaving the rest."""
    options = results["options"]
    write_section(
        "readside",
        [
            "## Read side (`bench/readside`)",
            "",
            "`.venv/bin/python -m bench.readside` seeds a fresh SQLite database with"
            f" {options['alerts']} active alerts, starts `vecinos serve` (one process, its worker",
            "in it) and drives the Spanish JSON feed and the Spanish alerts page with `wrk`,",
            f"{options['connections']} keep-alive connections,"
            f" {options['seconds']:.0f} s each after a 2 s warm-up; then nginx (one worker",
            "process, the Debian package) serves the very bytes vecinos answered, as static",
            "files, under the same load. Identity bodies on both sides (no gzip), full 200",
            "answers (no conditional requests, which are cheaper).",
            "",
            "The feeds and the page are rendered once per language each time an alert is",
            "published and kept (`vecinos/web/prerender.py`): a request is a dictionary look-up",
            "through the ordinary FastAPI route, its dependencies and the app's middleware",
            "(security headers, the access log, the server time, gzip, the body limit). A kept",
            "copy is dropped when the alerts event is heard (on PostgreSQL every process hears",
            "every other's NOTIFY once the publish commits; a generation number discards a copy",
            "rendered from before the event), at the first expiry of an alert it shows, and",
            "nothing is kept while the process's listener is reconnecting. Invalidating on the",
            "event rather than keying on a version read from the database keeps every cached",
            "answer free of any query, which is what makes the rate below possible in Python.",
            "The routes ask nobody who they are (the `Anonymous` policy: no session lookup).",
            "",
            f"Reads never block intake: {INTAKE_CONNECTIONS} connections post reports through the",
            "real intake (`POST /api/reports`), first alone, then while"
            f" {options['connections']} connections read the feed from the same process, flat out"
            " and at the read side's target rate.",
            "",
            f"Last run: {results['when']}, {results['machine']['cpus']} CPUs shared with other",
            "engineers' work (the 1-minute load average is recorded with each run: above 2 the",
            "machine was busy with other work, and wrk itself runs on the same two cores).",
            "",
            text,
            "",
            *reading_of(results),
        ],
    )


if __name__ == "__main__":
    main()
