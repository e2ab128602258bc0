"""Fixtures of this folder: a signed-in client per person of the cast."""

from __future__ import annotations

from tests.clients import signed_in

__all__ = ["signed_in"]
