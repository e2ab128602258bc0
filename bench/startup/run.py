"""Start-up: how long `vecinos serve` takes to answer its first `/api/health`, beside a bare
Starlette app served by the same uvicorn (the floor: the interpreter, uvicorn, Starlette).

`.venv/bin/python -m bench.startup [--runs 5]`

Each run starts the process on a migrated SQLite database and asks for `/api/health` every
10 ms; the figures are the wall time from the start to the first 200, and the CPU time the
process had used by then (which, unlike the wall time, holds when other work shares the
machine). Results: a table, `results.json` here, and a section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.sections import free_port, write_section

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
BIN = Path(sys.executable).parent
TARGET_SECONDS = 3.0
PEER = (
    "import uvicorn\n"
    "from starlette.applications import Starlette\n"
    "from starlette.responses import JSONResponse\n"
    "from starlette.routing import Route\n"
    "async def health(_): return JSONResponse({'status': 'ok'})\n"
    "app = Starlette(routes=[Route('/api/health', health)])\n"
    "import sys; uvicorn.run(app, port=int(sys.argv[1]), access_log=False, log_level='warning')\n"
)


def healthy(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"GET /api/health HTTP/1.1\r\nHost: bench\r\n\r\n")
            return connection.recv(64).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_start(command: list[str], port: int, env: dict[str, str]) -> tuple[float, float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while not healthy(port):
            if process.poll() is not None:
                raise SystemExit(f"{command[0]} exited with {process.returncode}")
            if time.perf_counter() - started > 300:
                raise SystemExit(f"{command[0]} did not answer in 300 s")
            time.sleep(0.01)
        return time.perf_counter() - started, cpu_seconds(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=30)


def runs(
    name: str, make: Callable[[int], tuple[list[str], int]], env: dict[str, str], count: int
) -> dict[str, Any]:
    # The first run warms the disk cache and the bytecode cache; it is not counted.
    measured = [one_start(*make(free_port()), env=env) for _ in range(count + 1)][1:]
    walls = [wall for wall, _ in measured]
    cpus = [cpu for _, cpu in measured]
    return {
        "name": name,
        "runs": count,
        "wall_median_s": round(statistics.median(walls), 2),
        "wall_min_s": round(min(walls), 2),
        "wall_max_s": round(max(walls), 2),
        "cpu_median_s": round(statistics.median(cpus), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="counted runs (after one warm-up)")
    parser.add_argument("--no-docs", action="store_true", help="leave docs/benchmarks.md alone")
    options = parser.parse_args()
    data = Path(tempfile.mkdtemp(prefix="vecinos-startup-"))
    env = {
        **{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        "VECINOS_DATA_DIR": str(data),
        "VECINOS_DATABASE_URL": "",
        "VECINOS_SECRET_KEY": secrets.token_urlsafe(48),
        "VECINOS_LOG_LEVEL": "WARNING",
        # An installed server starts from compiled bytecode (pip writes it at install). A shell
        # with PYTHONDONTWRITEBYTECODE would make every start compile vecinos' ~270 modules
        # from source again (~0.3 s here): the warm-up run compiles them into this directory
        # instead, and the counted runs read them back, as an installed server does.
        "PYTHONPYCACHEPREFIX": str(data / "pycache"),
    }
    subprocess.run(
        [str(BIN / "vecinos"), "db", "upgrade"], env=env, check=True, capture_output=True
    )
    load_before = os.getloadavg()

    def ours(port: int) -> tuple[list[str], int]:
        return [str(BIN / "vecinos"), "serve", "--port", str(port)], port

    def peer(port: int) -> tuple[list[str], int]:
        return [sys.executable, "-c", PEER, str(port)], port

    results: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_average_before": [round(x, 2) for x in load_before],
        },
        "vecinos": runs("vecinos serve", ours, env, options.runs),
        "peer": runs("bare Starlette on uvicorn", peer, env, options.runs),
        "target_seconds": TARGET_SECONDS,
    }
    results["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    shutil.rmtree(data / "pycache", ignore_errors=True)  # ~30 MB of bytecode, this run's only
    results["met"] = results["vecinos"]["wall_median_s"] <= TARGET_SECONDS
    text = table(results)
    print(text)
    print(json.dumps(results["machine"]))
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    if not options.no_docs:
        write_docs(text, results)


def table(results: dict[str, Any]) -> str:
    ours, peer = results["vecinos"], results["peer"]
    rows = [
        ("first `/api/health`, median (s)", "wall_median_s"),
        ("fastest / slowest run (s)", None),
        ("CPU used by then, median (s)", "cpu_median_s"),
    ]
    lines = [f"| measure | {ours['name']} | {peer['name']} |", "|---|---|---|"]
    for shown, key in rows:
        if key is None:
            cells = [f"{s['wall_min_s']} / {s['wall_max_s']}" for s in (ours, peer)]
        else:
            cells = [str(ours[key]), str(peer[key])]
        lines.append(f"| {shown} | {cells[0]} | {cells[1]} |")
    return "\n".join(lines)


def write_docs(text: str, results: dict[str, Any]) -> None:
    """Replace (or add) this benchmark's section of docs/benchmarks.md, leaving the rest."""
    machine = results["machine"]
    write_section(
        "startup",
        [
            "## Start-up (`bench/startup`)",
            "",
            "`.venv/bin/python -m bench.startup` starts `vecinos serve` on a migrated SQLite",
            "database, one warm-up and five counted runs, and times the first `/api/health`",
            "answered (asked every 10 ms), beside a bare Starlette app on the same uvicorn.",
            "Both start from compiled bytecode, as an installed server does (the warm-up run",
            "writes it under the bench's temporary directory whatever PYTHONDONTWRITEBYTECODE",
            "says).",
            "CPU time is the process's own by that moment: it holds when the machine is shared.",
            "",
            f"Last run: {results['when']}, {machine['cpus']} CPUs, Python {machine['python']}."
            f" Load average (1, 5, 15 min) before {machine['load_average_before']}, after"
            f" {machine['load_average_after']}; above the CPU count the wall times include"
            " waiting for a CPU.",
            "",
            text,
            "",
            f"Target: first health check ≤ {TARGET_SECONDS:g} s (median wall):"
            f" {'met' if results['met'] else 'not met'}.",
        ],
    )


if __name__ == "__main__":
    main()
