"""Provider stand-ins that answer after a fixed latency: Twilio's Messages resource, a Web Push
service and partner webhooks, on one port. `python -m bench.delivery.standin PORT LATENCY_MS`
prints `ready` once it listens; GET /stats says what arrived and when (wall-clock seconds).
"""

from __future__ import annotations

import asyncio
import os
import sys
import time

from aiohttp import web

SID = "AC" + "7" * 32


class Stats:
    def __init__(self) -> None:
        self.count = 0
        self.first: float | None = None
        self.last: float | None = None

    def arrived(self) -> None:
        now = time.time()
        self.count += 1
        self.first = self.first or now
        self.last = now


def app(latency: float) -> web.Application:
    stats = Stats()

    async def twilio(request: web.Request) -> web.Response:
        form = await request.post()
        stats.arrived()
        await asyncio.sleep(latency)
        sid = "SM" + os.urandom(16).hex()
        body = {"sid": sid, "account_sid": SID, "to": form.get("To"), "status": "queued"}
        return web.json_response(body, status=201)

    async def push(request: web.Request) -> web.Response:
        await request.read()
        stats.arrived()
        await asyncio.sleep(latency)
        return web.Response(status=201, headers={"Location": f"/messages/{stats.count}"})

    async def hook(request: web.Request) -> web.Response:
        await request.read()
        stats.arrived()
        await asyncio.sleep(latency)
        return web.json_response({"ok": True})

    async def report(_: web.Request) -> web.Response:
        return web.json_response({"count": stats.count, "first": stats.first, "last": stats.last})

    async def reset(_: web.Request) -> web.Response:
        stats.__init__()  # type: ignore[misc]
        return web.json_response({"ok": True})

    application = web.Application()
    application.router.add_post(f"/2010-04-01/Accounts/{SID}/Messages.json", twilio)
    application.router.add_post("/push/{n}", push)
    application.router.add_post("/hook/{n}", hook)
    application.router.add_get("/stats", report)
    application.router.add_post("/reset", reset)
    return application


async def serve(port: int, latency: float) -> None:
    runner = web.AppRunner(app(latency), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", port, backlog=4096).start()
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(serve(int(sys.argv[1]), float(sys.argv[2]) / 1000))
