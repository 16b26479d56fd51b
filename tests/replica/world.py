"""The replica world: every response of the replica sites, pre-rendered, plus the manifest.

``build_world(seed, scale)`` is deterministic: the same seed gives byte-identical responses and
manifest. Static pages live in ``World.pages`` keyed by (host, path); the few endpoints that take
parameters (Hanweb's data proxy, paged column URLs, the xxgk alias view, downloads) are answered by
site handlers from the same pre-built data. Tests may mutate the world while it is being served.
"""

from __future__ import annotations

import html
import json
import random
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.replica.content import Block, Body
from tests.support.values import StatTables

SCALES = ("default", "large")
WENDENG = "www.wendeng.gov.cn"
HY = "www.hy.gov.cn"


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)


def html_response(text: str, status: int = 200) -> Response:
    return Response(status, [("Content-Type", "text/html; charset=UTF-8")], text.encode("utf-8"))


def not_found() -> Response:
    return html_response(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 Not Found</title></head>'
        "<body><h1>404 Not Found</h1><p>您访问的页面不存在或已被删除。</p></body></html>",
        404,
    )


@dataclass
class Attachment:
    url: str  # absolute
    filename: str  # as offered for download (showname / link text)
    content_type: str
    kind: str  # attachment / image
    body: bytes = b""

    def to_manifest(self) -> dict[str, str]:
        return {
            "url": self.url,
            "filename": self.filename,
            "content_type": self.content_type,
            "kind": self.kind,
        }


@dataclass
class Report:
    """One annual report as published, with the truth a correct crawl and extraction must recover."""

    site: str
    body: Body
    year: int
    published: datetime
    title: str
    blocks: list[Block]
    generation: str  # what extraction should say: G0 / G1 / G2 / unknown
    table_render: str  # html / image_only / none
    tables: StatTables | None
    title_lines: tuple[str, ...] = ()  # how the page heading breaks the title (body on its own line)
    seed: str | None = None
    content_source: str = ""  # 信息来源 / 来源 shown on the page (the body's name unless stated)
    url: str = ""  # canonical URL
    duplicates: list[dict[str, str]] = field(default_factory=list)  # {"url", "kind"}
    attachments: list[Attachment] = field(default_factory=list)
    column_url: str = ""
    notes: list[str] = field(default_factory=list)  # the traps this report carries

    def to_manifest(self) -> dict[str, Any]:
        return {
            "site": self.site,
            "url": self.url,
            "urls": [self.url, *(d["url"] for d in self.duplicates)],
            "duplicates": [{**d, "duplicate_of": self.url} for d in self.duplicates],
            "title": self.title,
            "agency": self.body.name,
            "body_type": self.body.kind,
            "credit_code": self.body.code,
            "year": self.year,
            "published": self.published.strftime("%Y-%m-%d %H:%M:%S"),
            "generation": self.generation,
            "table_render": self.table_render,
            "tables": tables_to_json(self.tables),
            "attachments": [a.to_manifest() for a in self.attachments],
            "column_url": self.column_url,
            "seed": self.seed,
            "notes": self.notes,
        }


def tables_to_json(tables: StatTables | None) -> dict[str, Any] | None:
    """Nested dicts; ints as JSON numbers, Decimals as strings (exact), printed strings as they are."""
    if tables is None:
        return None

    def value(v: object) -> object:
        return str(v) if isinstance(v, Decimal) else v

    def walk(node: object) -> object:
        return {k: walk(v) for k, v in node.items()} if isinstance(node, dict) else value(node)

    return {
        "generation": tables.generation,
        "sec2": walk(tables.sec2),
        "sec3": walk(tables.sec3),
        "sec4": walk(tables.sec4),
        "defects": tables.defects,
    }


#: a site handler answers a parameterised request, or returns None to fall back to the static pages
Handler = Callable[["World", str, str, dict[str, list[str]], dict[str, list[str]]], Response | None]


@dataclass
class World:
    seed: int
    scale: str
    pages: dict[tuple[str, str], Response] = field(default_factory=dict)
    reports: list[Report] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)
    noise: list[dict[str, str]] = field(default_factory=list)
    columns: dict[str, Any] = field(default_factory=dict)  # site-specific paging data
    handlers: dict[str, Handler] = field(default_factory=dict)
    renderers: dict[str, Callable[[World, Report], None]] = field(default_factory=dict)
    #: Hanweb "modern" variant: ?uid=…&pageNum=N really paginates
    modern_hanweb: bool = False
    requests_served: int = 0
    _hosts_cache: tuple[frozenset[str], int] = field(default=(frozenset(), -1), repr=False)

    # -- serving ------------------------------------------------------------------------------------

    @property
    def hosts(self) -> frozenset[str]:
        # asked on every request: recount only when pages were added
        if self._hosts_cache[1] != len(self.pages):
            self._hosts_cache = (frozenset(host for host, _ in self.pages), len(self.pages))
        return self._hosts_cache[0]

    def handle(self, method: str, host: str, target: str, body: bytes = b"") -> Response:
        """Answer one request for ``host`` (a replica host) and ``target`` (path + query)."""
        self.requests_served += 1
        parts = urlsplit(target)
        path = parts.path or "/"
        query = parse_qs(parts.query, keep_blank_values=True)
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True) if body else {}
        handler = self.handlers.get(host)
        if handler is not None:
            answer = handler(self, method, path, query, form)
            if answer is not None:
                return answer
        return self.static(host, path)

    def static(self, host: str, path: str) -> Response:
        page = self.pages.get((host, path))
        if page is None and path.endswith("/"):
            # directory index: TRS serves list.html's content at the column's own URL
            page = self.pages.get((host, path + "index.html")) or self.pages.get((host, path + "list.html"))
        return page if page is not None else not_found()

    def put(self, url: str, response: Response) -> None:
        parts = urlsplit(url)
        self.pages[(parts.hostname or "", parts.path)] = response

    def put_html(self, url: str, text: str) -> None:
        self.put(url, html_response(text))

    def page_count(self) -> int:
        """Fetchable documents: static pages plus data-proxy pages (as 15-record GET pages)."""
        proxied = sum(-(-len(col["records"]) // 15) for col in self.columns.get("hanweb", {}).values())
        return len(self.pages) + proxied

    # -- mutation for tests ---------------------------------------------------------------------------

    def report(self, url: str) -> Report:
        for report in self.reports:
            if url == report.url or url in (d["url"] for d in report.duplicates):
                return report
        raise KeyError(url)

    def edit_report(self, url: str, **changes: Any) -> Report:
        """Change a published report (title, published, blocks, …) and re-render all its pages.

        ``world.edit_report(url, title="…（更正）")`` models a silent correction at the same URL.
        """
        old = self.report(url)
        new = replace(old, **changes)
        self.reports[self.reports.index(old)] = new
        self.renderers[new.site](self, new)
        return new

    def remove(self, url: str) -> None:
        """Make ``url`` answer 404 from now on (deletion drift)."""
        parts = urlsplit(url)
        self.pages[(parts.hostname or "", parts.path)] = not_found()

    # -- manifest ---------------------------------------------------------------------------------------

    def manifest(self) -> dict[str, Any]:
        reports = sorted(self.reports, key=lambda r: (r.site, r.url))
        return {
            "seed": self.seed,
            "scale": self.scale,
            "hosts": sorted(self.hosts),
            "reports": [r.to_manifest() for r in reports],
            "missing": self.missing,
            "noise": self.noise,
            "counts": {
                "reports": len(reports),
                "pages": self.page_count(),
                "bodies": {
                    site: len({r.body.name for r in reports if r.site == site}) for site in ("wendeng", "hy")
                },
            },
        }

    def write_manifest(self, path: Path) -> Path:
        path.write_text(json.dumps(self.manifest(), ensure_ascii=False, indent=1), encoding="utf-8")
        return path


def build_world(seed: int = 0, scale: str = "default", *, modern_hanweb: bool = False) -> World:
    """Build both replica sites from ``seed``; ``scale="large"`` adds noise up to ≥5,000 pages."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
    from tests.replica import hanweb, trs  # the site builders import this module

    world = World(seed=seed, scale=scale, modern_hanweb=modern_hanweb)
    hanweb.build(world, random.Random(f"wendeng:{seed}"))
    trs.build(world, random.Random(f"hy:{seed}"))
    return world


# -- markup shared by both sites ------------------------------------------------------------------------------

_BOLD = re.compile(r"\*\*(.+?)\*\*")
_AUTOLINK = re.compile(r"&lt;(https?://[^&\s]+)&gt;")


def inline_markup(text: str) -> str:
    """Escape a seed line and turn its docx-export debris back into the markup it came from."""
    escaped = html.escape(text, quote=False)
    escaped = _BOLD.sub(r"<strong>\1</strong>", escaped)
    escaped = _AUTOLINK.sub(r'<a href="\1">\1</a>', escaped)
    return escaped.replace("[bookmark: _GoBack]", '<a name="_GoBack"></a>')
