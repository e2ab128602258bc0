"""Every form of the app is sent with POST: what people type (a report's cross streets, a
phone number, a password) must never travel in an address, where browser history and a
reverse proxy's access log would keep it."""

from __future__ import annotations

import re
from pathlib import Path

import vecinos

FORM = re.compile(r"<form\b[^>]*>", re.IGNORECASE)
POST = re.compile(r"""\bmethod=["']post["']""", re.IGNORECASE)


def test_every_form_in_the_templates_is_sent_with_post() -> None:
    package = Path(vecinos.__file__).parent
    forms = [
        (template.relative_to(package), tag)
        for template in package.rglob("*.html")
        for tag in FORM.findall(template.read_text(encoding="utf-8"))
    ]
    assert len(forms) > 20  # the templates were found
    assert [f"{where}: {tag[:80]}" for where, tag in forms if not POST.search(tag)] == []
