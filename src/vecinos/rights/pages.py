"""Server-rendered rights pages (Jinja2 templates of this package), for the web and the export.

The same templates serve the live site and the offline bundle; only the links differ, so a
`Links` value decides whether a page points at `/rights/es/at-home` or `../es/at-home.html`.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from vecinos.rights.kit import RIGHTS_PATH, Edition, RightsKit, TopicView


@dataclass(frozen=True)
class Links:
    """Where pages live: `/rights/<lang>/<topic>` on the web, `<lang>/<topic>.html` offline."""

    root: str = RIGHTS_PATH  # prefix of every rights page
    suffix: str = ""  # ".html" in the static bundle
    index: str = ""  # the language page's own name inside its folder ("index.html" offline)

    def home(self) -> str:
        return f"{self.root}/{self.index}" if self.index else self.root

    def language(self, code: str) -> str:
        return f"{self.root}/{code}/{self.index}" if self.index else f"{self.root}/{code}"

    def topic(self, code: str, topic: str) -> str:
        return f"{self.root}/{code}/{topic}{self.suffix}"

    @property
    def online(self) -> bool:
        """Served by the app (not the offline bundle): the app's manifest and icon exist."""
        return not self.suffix


WEB_LINKS = Links()


@cache
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("vecinos.rights", "templates"),
        autoescape=select_autoescape(default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _render(template: str, kit: RightsKit, edition: Edition, links: Links, **extra: Any) -> str:
    return (
        environment()
        .get_template(template)
        .render(
            kit=kit,
            edition=edition,
            labels=edition.language.labels,
            notices=edition.notices,
            links=links,
            **extra,
        )
    )


def language_page(kit: RightsKit, code: str, links: Links = WEB_LINKS) -> str:
    """The list of topics in one language, and links to every other language."""
    edition = kit.edition(code)
    topics = [edition.topic(topic_id) for topic_id in edition.topic_ids()]
    return _render("rights/language.html", kit, edition, links, topics=topics)


def topic_page(kit: RightsKit, code: str, topic: str, links: Links = WEB_LINKS) -> str:
    """One topic in one language (in English with a notice where it is not translated yet)."""
    edition = kit.edition(code)
    view: TopicView = edition.topic(topic)
    sources = [kit.sources[source] for source in view.topic.sources]
    return _render("rights/topic.html", kit, edition, links, view=view, sources=sources)
