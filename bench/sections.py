"""What the newer benches share: a free port to serve on, and their section of
docs/benchmarks.md replaced in place (the rest of the file left as it is)."""

from __future__ import annotations

import socket
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def write_section(name: str, lines: list[str]) -> None:
    """Replace (or add at the end) the section between `<!-- name:start -->` and its end."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    section = "\n".join([start, *lines, end])
    current = DOCS.read_text()
    if start in current:
        before, rest = current.split(start, 1)
        current = before + section + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + section + "\n"
    DOCS.write_text(current)
