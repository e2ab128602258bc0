"""The bundle's RFC 3161 time-stamps, checked offline against the authority's certificate.

The deployment's signature proves who made a bundle, not when its contents existed: whoever
holds the key could rewrite the timeline, chain it anew and sign again. A time-stamp from an
outside authority cannot be made afterwards, so each one must prove the very hash it is
listed for, and that hash must still be the event's (or the original's) in the bundle.
"""

from __future__ import annotations

import json
import zipfile
from datetime import datetime
from typing import Any

from vecinos.anchoring.tsa import TokenRefused, Trust, check, time_of

TIMESTAMPS = "timestamps.json"


class TimeTampered(Exception):
    """A time-stamp that does not hold; the message names it."""


def check_timestamps(
    archive: zipfile.ZipFile,
    events: list[dict[str, Any]],
    media: list[dict[str, Any]],
    trust: Trust,
) -> tuple[int, int]:
    """(time-stamps that hold, hashes still without one); TimeTampered at the first that fails."""
    stamps: list[dict[str, Any]] = json.loads(archive.read(TIMESTAMPS))
    current = {("event", e["seq"]): e["hash"] for e in events}
    current |= {("media", m["id"]): m["sha256"] for m in media if m.get("sha256")}
    by_hash = {digest: where for where, digest in current.items()}
    held = 0
    for stamp in stamps:
        if stamp["file"] is None:
            continue
        where = (stamp["subject"], stamp["ref"])
        name = f"{where[0]} {where[1]}"
        proven = _proven_hash(archive, stamp, name, trust)
        if where not in current:
            raise TimeTampered(f"{TIMESTAMPS}: names {name}, which is not in the bundle")
        if proven != current[where]:
            raise TimeTampered(_mismatch(name, stamp, proven, by_hash))
        held += 1
    pending = sum(1 for s in stamps if s["file"] is None)
    return held, pending


def _proven_hash(archive: zipfile.ZipFile, stamp: dict[str, Any], name: str, trust: Trust) -> str:
    """The hash the token itself proves, once its signature and chain hold."""
    try:
        token = archive.read(stamp["file"])
    except KeyError:
        raise TimeTampered(f"{stamp['file']}: missing from the bundle") from None
    try:
        response = check(token, stamp["sha256"], trust)
    except TokenRefused as exc:
        raise TimeTampered(
            f"{stamp['file']}: the time-stamp of {name} does not hold: {exc}"
        ) from None
    if stamp["time"] is None or datetime.fromisoformat(stamp["time"]) != time_of(response):
        raise TimeTampered(f"{TIMESTAMPS}: the time listed for {name} is not its time-stamp's")
    return str(stamp["sha256"])


def _mismatch(name: str, stamp: dict[str, Any], proven: str, by_hash: dict[str, Any]) -> str:
    other = by_hash.get(proven)
    when = stamp["time"]
    if other is not None:
        return (
            f"{TIMESTAMPS}: the time-stamp listed for {name} is the one of {other[0]} {other[1]}"
            " (time-stamps or events were reordered)"
        )
    if stamp["subject"] == "event":
        return (
            f"timeline.json: {name} is not the event time-stamped at {when}: it was changed,"
            " replaced or reordered after it was time-stamped"
        )
    return f"media.json: {name} is not the original time-stamped at {when} (another file or hash)"
