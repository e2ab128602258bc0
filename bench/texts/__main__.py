"""Texts back after a broad alert: the inbound SMS webhook under correctly signed load.

    .venv/bin/python -m bench.texts [--seconds 15] [--concurrency 32] [--senders 5000]

Starts `vecinos serve` on a fresh SQLite database with a Twilio auth token, and drives its
inbound SMS webhook with `wrk` replaying requests signed beforehand with Twilio's own
`RequestValidator` (from `--senders` different numbers, the mix people text back: thanks,
AYUDA, DERECHOS, ZONAS, REPORTE, STOP); then drives the texts ceiling (bare Starlette: parse
the form, insert a row, answer TwiML) with the same requests. Prints a table; writes
bench/texts/results.json and the texts section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import random
import secrets
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import urlencode

from bench.paced import Request, drive_at_rate
from bench.sections import write_section
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
PATH = "/api/alerts/sms/inbound"
PORTS = {"vecinos": 8713, "ceiling": 8714}
TARGETS = {"replies_per_s": 300, "p99_ms": 100}
# What people text back after an alert, and how often (the weights).
MIX = (
    ("gracias", 30),
    ("AYUDA", 20),
    ("DERECHOS", 15),
    ("ZONAS", 15),
    ("REPORTE", 10),
    ("STOP", 10),
)


def intake_helpers() -> ModuleType:
    """The intake benchmark's server, wrk and CPU helpers (a script, not a package)."""
    spec = importlib.util.spec_from_file_location("bench_intake_run", ROOT / "bench/intake/run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def signed_requests(token: str, public_url: str, senders: int) -> list[tuple[str, str]]:
    """(form body, signature) pairs, signed over the URL the provider was given."""
    rng = random.Random(16)
    words = [word for word, weight in MIX for _ in range(weight)]
    validator = RequestValidator(token)
    made = []
    for n in range(senders):
        form = {
            "From": f"+1{(213, 310, 323, 626)[n // 10000 % 4]}555{n % 10000:04d}",
            "To": "+12135550100",
            "Body": rng.choice(words),
            "MessageSid": f"SM{secrets.token_hex(16)}",
        }
        made.append((urlencode(form), validator.compute_signature(public_url + PATH, form)))
    return made


WRK_SCRIPT = """
local requests = {%(requests)s}
local n = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
request = function()
  n = n %% #requests + 1
  local r = requests[n]
  wrk.headers["X-Twilio-Signature"] = r[2]
  return wrk.format(nil, nil, nil, r[1])
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK {"requests": %%d, "duration_us": %%d, "connect": %%d, "read": %%d, "write": %%d, ' ..
    '"status": %%d, "timeout": %%d, "p50_us": %%d, "p99_us": %%d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def wrk_script(directory: Path, requests: list[tuple[str, str]]) -> Path:
    script = directory / "texts.lua"
    rows = ",".join(f'{{"{body}","{signature}"}}' for body, signature in requests)
    script.write_text(WRK_SCRIPT % {"requests": rows})
    return script


def measure(
    helpers: ModuleType,
    command: list[str],
    env: dict[str, str],
    port: int,
    options: Any,
    load: tuple[Path, list[Request]],
    log: Path,
) -> dict[str, Any]:
    """At the target's rate (paced, open loop), then flat out (wrk, closed loop): paced first,
    so it meets the server as people would, not still busy with a saturating run's backlog."""
    script, requests = load
    closed = helpers.Load("wrk", options.seconds, options.concurrency, options.warmup, script)
    url = f"http://127.0.0.1:{port}{PATH}"
    with helpers.server(command, env, port, log) as pid:
        paced = drive_at_rate(
            url, requests, TARGETS["replies_per_s"], options.seconds, options.warmup
        )
        result: dict[str, Any] = {**helpers.measured(pid, url, closed), "paced": paced}
    return result


def paced_requests(signed: list[tuple[str, str]]) -> list[Request]:
    return [
        (
            body.encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signature},
        )
        for body, signature in signed
    ]


def run(options: argparse.Namespace) -> dict[str, Any]:
    helpers = intake_helpers()
    data_dir = Path(tempfile.mkdtemp(prefix="vecinos-bench-texts-"))
    token = secrets.token_hex(16)
    try:
        public_url = f"http://127.0.0.1:{PORTS['vecinos']}"
        signed = signed_requests(token, public_url, options.senders)
        load = (wrk_script(data_dir, signed), paced_requests(signed))
        env = {
            **helpers.vecinos_env(data_dir),
            "VECINOS_PUBLIC_URL": public_url,
            "VECINOS_TWILIO_AUTH_TOKEN": token,
        }
        vecinos = str(Path(sys.executable).parent / "vecinos")
        subprocess.run(
            [vecinos, "db", "upgrade"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL
        )
        serve = [vecinos, "serve", "--port", str(PORTS["vecinos"])]
        ours = measure(helpers, serve, env, PORTS["vecinos"], options, load, data_dir / "serve.log")
        ceiling_env = {**os.environ, "CEILING_DATABASE": str(data_dir / "ceiling.db")}
        uvicorn = [sys.executable, "-m", "uvicorn", "--app-dir", str(HERE), "ceiling:app"]
        flags = ["--port", str(PORTS["ceiling"]), "--no-access-log", "--log-level", "warning"]
        ceiling = measure(
            helpers,
            [*uvicorn, *flags],
            ceiling_env,
            PORTS["ceiling"],
            options,
            load,
            data_dir / "c.log",
        )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return {"vecinos": ours, "ceiling": ceiling}


def table(http: dict[str, Any]) -> str:
    ours, ceiling = http["vecinos"], http["ceiling"]
    rate, p99 = TARGETS["replies_per_s"], TARGETS["p99_ms"]
    rows: list[tuple[str, str, str, str, bool | None]] = [
        ("flat out (wrk): replies/s", "per_s", "{:.0f}", f"≥ {rate}", ours["per_s"] >= rate),
        ("flat out: p50 latency (ms)", "p50_ms", "{:.1f}", "", None),
        ("flat out: p99 latency (ms)", "p99_ms", "{:.1f}", "", None),
        ("flat out: errors", "errors", "{:.0f}", "0", None),
        ("server CPU ms per text", "server_cpu_ms_per_request", "{:.2f}", "", None),
        (f"at {rate}/s offered: answered/s", "paced.answered_per_s", "{:.0f}", "", None),
        (f"at {rate}/s offered: p50 latency (ms)", "paced.p50_ms", "{:.1f}", "", None),
        (
            f"at {rate}/s offered: p99 latency (ms)",
            "paced.p99_ms",
            "{:.1f}",
            f"≤ {p99}",
            ours["paced"]["p99_ms"] <= p99,
        ),
        (f"at {rate}/s offered: errors", "paced.errors", "{:.0f}", "0", None),
    ]
    lines = ["| measure | vecinos | texts ceiling | target | met |", "|---|---|---|---|---|"]
    for name, key, shown, target, met in rows:
        verdict = "" if met is None else ("yes" if met else "**no**")
        cells = f"{shown.format(_value(ours, key))} | {shown.format(_value(ceiling, key))}"
        lines.append(f"| {name} | {cells} | {target} | {verdict} |")
    return "\n".join(lines)


def _value(result: dict[str, Any], key: str) -> Any:
    for part in key.split("."):
        result = result[part]
    return result


def write_docs(text: str, results: dict[str, Any]) -> None:
    machine, options = results["machine"], results["options"]
    write_section(
        "texts",
        [
            "## Texts back after an alert (`bench/texts`)",
            "",
            "`.venv/bin/python -m bench.texts` drives the inbound SMS webhook of `vecinos serve`",
            "(SQLite) with requests signed by Twilio's `RequestValidator` from many numbers",
            "(thanks, AYUDA, DERECHOS, ZONAS, REPORTE, STOP), then a bare Starlette endpoint that",
            "parses the form, inserts a row and answers TwiML, with the same requests from `wrk`.",
            "",
            f"Last run: {results['when']}, {machine['cpus']} CPUs, {options['concurrency']}"
            f" concurrent clients, {options['seconds']:.0f} s measured; 1-minute load average"
            f" before and after: {machine['load_average_1min']} (above the CPU count, the machine"
            " was busy with other work).",
            "",
            text,
            "",
            verdict(results["http"]["vecinos"]),
            "",
            *WHERE_THE_TIME_GOES,
        ],
    )


def verdict(ours: dict[str, Any]) -> str:
    met = [
        ours["per_s"] >= TARGETS["replies_per_s"],
        ours["paced"]["p99_ms"] <= TARGETS["p99_ms"],
    ]
    if all(met):
        return "Both targets met on this run."
    names = ("replies/s flat out", "p99 at the target's rate")
    missed = [name for name, ok in zip(names, met, strict=True) if not ok]
    return f"Not met on this run: {' and '.join(missed)}."


# What profiling the webhook found (cProfile around signed requests in-process, and this
# bench): kept with the table so a reader knows where the remaining time goes.
WHERE_THE_TIME_GOES = [
    "How to read it. The p99 target is judged at the target's rate: `bench/paced.py` sends",
    "300 texts a second on a schedule and times each reply from the moment it was due",
    "(an open loop, as wrk2 measures). wrk's closed loop gives the flat-out rate; its p99",
    "is no verdict, since with 32 clients at saturation the mean alone is 32 / throughput.",
    "Both servers run on the same two cores as the load generators, so the load average",
    "above matters: on a machine busy with other work the paced run finds the server",
    "short of CPU and the queue, not the code, sets the tail.",
    "",
    "Where the time went. Before issue 16's pass (load 6.7): 156 replies/s flat out,",
    "4.77 ms of server CPU per text. Every text took SQLite's write lock even when the",
    "reply only read; the sender's subscription was looked up twice; a second session",
    "looked for a signed-in caller the provider never is. Now thanks, AYUDA, DERECHOS and",
    "ZONAS are answered from a read session, and only REPORTE, ALERTAS, STOP, START and the",
    "next answer of a report in progress write. Two causes of the tail went next: the",
    "connection pool kept five connections for AnyIO's forty route threads, so a burst",
    "opened and closed a connection per text (with its PRAGMAs) or waited for one (the",
    "pool now keeps 48); and SQLite's busy handler let writers overtake one another while",
    "a loser slept in steps of up to 100 ms (a process's writers now queue on one lock,",
    "`vecinos/db/embedded.py`). Of the CPU left per text, about half is the framework",
    "(routing, dependencies and the app's six middlewares), then phone-number parsing",
    "(`phonenumbers`, about a tenth), the keyed hash, one worker-thread hop and one or two",
    "ORM queries.",
]


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--senders", type=int, default=5000)
    options = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("bench.texts needs wrk (apt-get install wrk)")
    load_before = os.getloadavg()[0]
    http = run(options)
    text = table(http)
    print(text)
    results = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        },
        "options": vars(options),
        "http": http,
        "targets": TARGETS,
    }
    (HERE / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    write_docs(text, results)


if __name__ == "__main__":
    main()
