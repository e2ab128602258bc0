"""Delivery at provider latency: how fast a published alert reaches people, beside what a plain
concurrent client gets out of the same stand-ins.

    .venv/bin/python -m bench.delivery [--latency-ms 100] [--small 2000] [--large 50000]

The stand-ins (`bench/delivery/standin.py`) answer Twilio's Messages resource, a Web Push
service and partner webhooks after `--latency-ms`. Then, on PostgreSQL:

1. **ceiling**: a plain aiohttp client keeps 100 requests in flight against the stand-ins,
   the same mix of requests, and counts requests a second: what this machine and this
   latency allow a client that does nothing else;
2. **one worker, `--small` recipients**: a real `vecinos worker` process is running; an alert
   is published to that many subscribers (SMS 60 %, Web Push 25 %, partner webhooks 15 %); the
   time from the publishing commit to the first message at a stand-in and to the last
   delivery recorded;
3. **two workers, `--large` recipients**: the same with two worker processes.

Channel rates are set far above the engine's reach (a real deployment sets them to its
provider accounts' limits), so what is measured is the engine. Results go to
bench/delivery/results.json and the delivery section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aiohttp
from bench.fanout.run import fresh_postgres
from bench.sections import DOCS, write_section
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid02
from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session

from vecinos.alerts.areas import home_cell
from vecinos.alerts.models import AlertKind, Subscription
from vecinos.alerts.outbox_models import Delivery, DeliveryStatus
from vecinos.alerts.publishing import NO_EDITS, publish
from vecinos.config import Settings
from vecinos.crypto import Encryptor
from vecinos.db import make_engine
from vecinos.incidents.models import Incident
from vecinos.migrations import upgrade

HERE = Path(__file__).resolve().parent
SECRET = "bench-secret-key-that-is-long-enough-0123456789"  # noqa: S105 - a throwaway database
POSTGRES = "postgresql+psycopg://vecinos:vecinos@127.0.0.1:5432/"
PLACE = (34.0339, -118.2106)
MIX = (("sms", 0.60), ("push", 0.25), ("webhook", 0.15))
TARGETS = {
    "per_worker_per_s": 300,
    "share_of_ceiling": 0.40,
    "small_s": 10,
    "large_s": 180,
    "first_s": 1.0,
}


@contextmanager
def standin(port: int, latency_ms: float) -> Any:
    command = [sys.executable, "-m", "bench.delivery.standin", str(port), str(latency_ms)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(10)


# ---- the ceiling --------------------------------------------------------------------------


async def ceiling(base: str, requests: int, in_flight: int = 100) -> float:
    """Requests a second a plain aiohttp client gets with `in_flight` on the wire."""
    limit = asyncio.Semaphore(in_flight)
    twilio = f"{base}/2010-04-01/Accounts/{'AC' + '7' * 32}/Messages.json"
    form = {"To": "+12135550142", "From": "+12135550100", "Body": "x" * 160}

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=in_flight)) as client:

        async def one(n: int) -> None:
            async with limit:
                kind = n % 20
                if kind < 12:
                    request = client.post(twilio, data=form)
                elif kind < 17:
                    request = client.post(f"{base}/push/{n}", data=os.urandom(300))
                else:
                    request = client.post(f"{base}/hook/{n}", json={"text": "x" * 200})
                async with request as response:
                    await response.read()

        started = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(requests)))
        return requests / (time.perf_counter() - started)


# ---- vecinos ------------------------------------------------------------------------------


def vapid_pem() -> str:
    key = Vapid02()
    key.generate_keys()
    return str(key.private_pem().decode())


def browser_keys() -> dict[str, str]:
    """One browser's push keys, shared by every push subscriber (each message is still
    encrypted on its own)."""
    private = ec.generate_private_key(ec.SECP256R1())
    public = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return {"p256dh": b64(public), "auth": b64(os.urandom(16))}


def contact_of(channel: str, n: int, base: str, keys: dict[str, str]) -> str:
    if channel == "sms":
        return f"+1213{5550000 + n:07d}"
    if channel == "push":
        return json.dumps({"endpoint": f"{base}/push/{n}", "keys": keys})
    return json.dumps({"url": f"{base}/hook/{n}", "secret": "partner-secret"})


def subscribers(engine: Engine, count: int, base: str) -> None:
    """`count` active subscribers around PLACE, channels in MIX's shares, contacts sealed as
    `subscribe` seals them."""
    sealer, keys, now = Encryptor(SECRET, "subscriber"), browser_keys(), datetime.now(UTC)
    cell = home_cell(*PLACE, 5000)
    rows = []
    for n in range(count):
        share = (n % 100) / 100
        channel = "sms" if share < MIX[0][1] else "push" if share < 0.85 else "webhook"
        rows.append(
            {
                "channel": channel,
                "status": "active",
                "language": ("es", "en")[n % 2],
                "contact_encrypted": sealer.encrypt(contact_of(channel, n, base, keys)),
                "contact_index": f"bench-{n}",
                "area_kind": "circle",
                "lat": PLACE[0],
                "lon": PLACE[1],
                "radius_m": 5000,
                "home_cell": cell,
                "wants_rumour_control": False,
                "wants_all_clear": False,
                "confirm_attempts": 0,
                "handle_hash": f"h-{n}",
                "unsubscribe_hash": f"u-{n}",
                "created_at": now,
                "confirmed_at": now,
            }
        )
    with engine.begin() as connection:
        for start in range(0, count, 10_000):
            connection.execute(insert(Subscription), rows[start : start + 10_000])


def publish_alert(engine: Engine, settings: Settings) -> float:
    """Publish a confirmed alert through `publishing.publish`; returns the commit's time."""
    now = datetime.now(UTC)
    with Session(engine) as db:
        incident = Incident(
            state="confirmed",
            lat=PLACE[0],
            lon=PLACE[1],
            h3_cell="-",
            public_cell="-",
            public_lat=PLACE[0],
            public_lon=PLACE[1],
            activity="agents_on_foot",
            report_count=3,
            source_count=3,
            opened_at=now,
            last_seen_at=now,
            state_changed_at=now,
            verdict="confirmed",
        )
        db.add(incident)
        db.flush()
        publish(
            db, incident, AlertKind.CONFIRMED, NO_EDITS, now=now, settings=settings, actor_id=None
        )
        db.commit()
        return time.time()


def worker_env(url: str, base: str, vapid: str) -> dict[str, str]:
    return {
        **os.environ,
        "VECINOS_DATABASE_URL": url,
        "VECINOS_SECRET_KEY": SECRET,
        "VECINOS_DATA_DIR": str(Path(tempfile.gettempdir()) / "vecinos-bench-delivery"),
        "VECINOS_TWILIO_BASE_URL": base,
        "VECINOS_TWILIO_ACCOUNT_SID": "AC" + "7" * 32,
        "VECINOS_TWILIO_AUTH_TOKEN": "bench-token",
        "VECINOS_TWILIO_FROM_NUMBER": "+12135550100",
        "VECINOS_VAPID_PRIVATE_KEY": vapid,
        "VECINOS_OUTBOUND_ALLOW_HTTP": "true",
        # The stand-ins listen on this machine: let the channels call a private address and
        # take the local push service for a known one, as the channel tests do.
        "VECINOS_OUTBOUND_ALLOW_PRIVATE": "true",
        "VECINOS_PUSH_SERVICES": "127.0.0.1",
        "VECINOS_ALERT_SMS_PER_SECOND": "100000",
        "VECINOS_ALERT_PUSH_PER_SECOND": "100000",
        "VECINOS_ALERT_WEBHOOK_PER_SECOND": "100000",
        "VECINOS_LOG_LEVEL": "WARNING",
    }


@contextmanager
def workers(count: int, env: dict[str, str]) -> Any:
    command = [sys.executable, "-c", "from vecinos.cli import main; main()", "worker"]
    env = {**env, "VECINOS_LOG_LEVEL": "INFO"}
    running = [
        subprocess.Popen(command, env=env, stderr=subprocess.PIPE, text=True) for _ in range(count)
    ]
    try:
        for process in running:  # each says so once its engine and listener run
            assert process.stderr is not None
            while "worker started" not in (line := process.stderr.readline()):
                assert line, "a worker ended before it started"
        yield
    finally:
        for process in running:
            process.terminate()
        for process in running:
            process.wait(60)


def stand_in_stats(base: str) -> dict[str, Any]:
    async def get() -> dict[str, Any]:
        async with aiohttp.ClientSession() as client, client.get(f"{base}/stats") as answer:
            found: dict[str, Any] = await answer.json()
            return found

    return asyncio.run(get())


def run_scenario(postgres: str, base: str, recipients: int, count: int) -> dict[str, Any]:
    url = fresh_postgres(postgres, "vecinos_bench_delivery")
    engine = make_engine(url)
    upgrade(engine)
    subscribers(engine, recipients, base)
    vapid = vapid_pem()
    settings = Settings(database_url=url, secret_key=SECRET)
    asyncio.run(_reset(base))
    queued = select(func.count()).where(Delivery.status == DeliveryStatus.QUEUED.value)
    with workers(count, worker_env(url, base, vapid)):
        committed = publish_alert(engine, settings)
        with Session(engine) as db:
            while db.scalar(queued):
                time.sleep(0.05)
                db.rollback()
        done = time.time()
    with Session(engine) as db:
        statuses = dict(
            db.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all()
        )
    stats = stand_in_stats(base)
    engine.dispose()
    seconds = done - committed
    return {
        "recipients": recipients,
        "workers": count,
        "first_message_s": round((stats["first"] or done) - committed, 3),
        "all_recorded_s": round(seconds, 2),
        "per_s": round(recipients / seconds, 1),
        "per_worker_per_s": round(recipients / seconds / count, 1),
        "statuses": {str(k): v for k, v in statuses.items()},
        "arrived_at_standins": stats["count"],
    }


async def _reset(base: str) -> None:
    async with aiohttp.ClientSession() as client, client.post(f"{base}/reset") as answer:
        await answer.read()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.delivery", description=__doc__)
    parser.add_argument("--latency-ms", type=float, default=100)
    parser.add_argument("--small", type=int, default=2000)
    parser.add_argument("--large", type=int, default=50_000)
    parser.add_argument("--postgres", default=POSTGRES, help="server URL ending in /")
    parser.add_argument("--port", type=int, default=18765)
    args = parser.parse_args()
    report: dict[str, Any] = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "latency_ms": args.latency_ms,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average_at_start": os.getloadavg()[0],
    }
    with standin(args.port, args.latency_ms) as base:
        report["ceiling_per_s"] = round(asyncio.run(ceiling(base, 4000)), 1)
        report["small"] = run_scenario(args.postgres, base, args.small, 1)
        report["large"] = run_scenario(args.postgres, base, args.large, 2)
    report["load_average_at_end"] = os.getloadavg()[0]
    report["verdicts"] = verdicts(report)
    print(table(report))
    (HERE / "results.json").write_text(json.dumps(report, indent=2) + "\n")
    write_docs(report)
    print(f"\nwrote {HERE / 'results.json'} and the delivery section of {DOCS}")


def verdicts(report: dict[str, Any]) -> dict[str, bool]:
    small, large = report["small"], report["large"]
    return {
        f"one worker >= {TARGETS['per_worker_per_s']}/s": small["per_worker_per_s"]
        >= TARGETS["per_worker_per_s"],
        f">= {TARGETS['share_of_ceiling']:.0%} of the plain client's ceiling": small["per_s"]
        >= TARGETS["share_of_ceiling"] * report["ceiling_per_s"],
        f"{small['recipients']:,} recipients in <= {TARGETS['small_s']} s": small["all_recorded_s"]
        <= TARGETS["small_s"],
        f"{large['recipients']:,} recipients in <= {TARGETS['large_s']} s with two workers": large[
            "all_recorded_s"
        ]
        <= TARGETS["large_s"],
        # A delivery that failed is no delivery: a run where any did measures nothing.
        "every recipient's message sent": all(
            set(run["statuses"]) == {DeliveryStatus.SENT.value}
            and run["arrived_at_standins"] >= run["recipients"]
            for run in (small, large)
        ),
        f"publish -> first message <= {TARGETS['first_s']} s": max(
            small["first_message_s"], large["first_message_s"]
        )
        <= TARGETS["first_s"],
    }


def table(report: dict[str, Any]) -> str:
    small, large = report["small"], report["large"]
    lines = [
        f"delivery at {report['latency_ms']:g} ms provider latency (PostgreSQL, {report['cpus']}"
        f" CPUs, Python {report['python']}; load average {report['load_average_at_start']:.2f}"
        f" at the start, {report['load_average_at_end']:.2f} at the end)",
        "",
        "| measure | result |",
        "|---|---|",
        f"| plain aiohttp client, 100 in flight (the ceiling) | {report['ceiling_per_s']:,.0f}/s |",
        f"| one worker, {small['recipients']:,} recipients | {small['all_recorded_s']} s,"
        f" {small['per_s']:,.0f}/s ({small['per_s'] / report['ceiling_per_s']:.0%} of the ceiling)"
        " |",
        f"| two workers, {large['recipients']:,} recipients | {large['all_recorded_s']} s,"
        f" {large['per_s']:,.0f}/s ({large['per_worker_per_s']:,.0f}/s per worker) |",
        f"| publish to first message at a provider | {small['first_message_s']} s"
        f" (one worker), {large['first_message_s']} s (two) |",
        f"| final statuses | {small['statuses']}, {large['statuses']} |",
        "",
        *(
            f"target {name}: {'met' if met else 'NOT met'}"
            for name, met in report["verdicts"].items()
        ),
    ]
    return "\n".join(lines)


def write_docs(report: dict[str, Any]) -> None:
    write_section(
        "delivery",
        [
            "## Delivery at provider latency (`bench/delivery`)",
            "",
            (__doc__ or "").split("\n\n", 1)[1].strip(),
            "",
            f"Last run: {report['when']}.",
            "",
            table(report),
        ],
    )


if __name__ == "__main__":
    main()
