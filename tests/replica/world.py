"""The replica world: every response of the replica sites, pre-rendered, plus the manifest.

``build_world(seed, scale)`` is deterministic: the same seed gives byte-identical responses and
manifest. Static pages live in ``World.pages`` keyed by (host, path); the few endpoints that take
parameters (Hanweb's data proxy, paged column URLs, the xxgk alias view, downloads) are answered by
site handlers from the same pre-built data; noise articles (never fetched by a crawler) are rendered
on first request (``World.lazy``).

Tests may mutate the world while it is being served; lists re-render (newest first) and the
manifest follows:

    world.edit_report(url, title=…)          # silent edit at the same URL
    world.edit_numbers(url, seed=1)          # new statistics: text + HTML tables → the new StatTables
    world.publish_year(2025, bodies=6)       # new reports, first on page 1, older items pushed back
    world.post_correction(url)               # 「…（更正）」 posted later; the original is superseded
    world.remove(url)                        # 404 from now on

Every 200 answer carries ``Last-Modified`` (publish/edit time, Beijing time as GMT) and ``ETag``
(a hash of the bytes); ``If-None-Match`` / ``If-Modified-Since`` get a 304 while unchanged.
Mutations happen on the world's clock (``World.tick``), later than anything published before.
"""

from __future__ import annotations

import hashlib
import html
import json
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.replica import content
from tests.replica.content import Block, Body
from tests.support.values import StatTables, random_tables

SCALES = ("default", "large")
WENDENG = "www.wendeng.gov.cn"
HY = "www.hy.gov.cn"
#: the two seed portals, built unless asked otherwise (every existing test and golden is about them)
DEFAULT_SITES = ("wendeng", "hy")
#: archetype C (bypc), D (xincai), a classic Hanweb (anding) and a TRS .shtml variant (jiaokou)
NEW_SITES = ("bypc", "xincai", "anding", "jiaokou")
ALL_SITES = DEFAULT_SITES + NEW_SITES
#: hosts of CMSes with no platform base (tests/replica/hosts.py UNSEEN_STYLES): built only by name
UNSEEN_SITES = ("xunyi",)
#: table renderings whose numbers are only in the report's files (the manifest then says which)
FILE_RENDERS = ("image_only", "attachment_only")
#: publish times are Beijing time; HTTP dates are GMT
CST = timezone(timedelta(hours=8))
#: Last-Modified of pages that carry no date of their own (navigation, robots.txt)
BUILT = datetime(2026, 1, 1, 0, 0, 0)
#: the world's clock when serving starts; every mutation happens after it (and after every publish date)
CLOCK_START = datetime(2026, 4, 1, 9, 0, 0)


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    modified: datetime | None = None  # publish/edit time (Beijing): the Last-Modified header

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    @property
    def etag(self) -> str:
        return '"' + hashlib.md5(self.body).hexdigest()[:20] + '"'  # an id, not security


def html_response(text: str, status: int = 200, modified: datetime | None = None) -> Response:
    return Response(status, [("Content-Type", "text/html; charset=UTF-8")], text.encode("utf-8"), modified)


def http_date(when: datetime) -> str:
    return format_datetime(when.replace(tzinfo=CST).astimezone(UTC), usegmt=True)


def not_found() -> Response:
    return html_response(
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 Not Found</title></head>'
        "<body><h1>404 Not Found</h1><p>您访问的页面不存在或已被删除。</p></body></html>",
        404,
    )


@dataclass
class Attachment:
    url: str  # absolute
    filename: str  # as offered for download (Content-Disposition)
    content_type: str
    kind: str  # attachment / image
    body: bytes = b""
    #: builds ``body`` on first request (tests/replica/files.py): rendering files costs time
    render: Callable[[], bytes] | None = field(default=None, repr=False, compare=False)
    #: what the bytes are: xlsx, pdf, pdf-garbled, … or a hostile file's name (files.HOSTILE)
    format: str = ""
    link_text: str = ""  # the link's text when it is not the file name

    def content(self) -> bytes:
        if self.render is not None:
            self.body, self.render = self.render(), None
        return self.body

    def to_manifest(self) -> dict[str, str]:
        found = {
            "url": self.url,
            "filename": self.filename,
            "content_type": self.content_type,
            "kind": self.kind,
        }
        return found | ({"format": self.format} if self.format else {})


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
    modified: datetime | None = None  # last silent edit (edit_report / edit_numbers)
    corrects: str = ""  # URL of the report this 「（更正）」 posting replaces
    superseded_by: str = ""  # URL of the correction that replaces this report
    encoding: dict[str, str] = field(default_factory=dict)  # {"charset", "trap"} when not served as UTF-8
    #: the numbers the report's files carry (attachment, table pictures): for an image-only page
    #: the only place they are; ``tables`` stays None for it (the page shows no numbers)
    file_tables: StatTables | None = None
    #: where a correct extraction finds the numbers when not on the page: a format (xlsx, pdf …) or "ocr"
    numbers_from: str = ""
    files: Any = None  # tests/replica/files.py FileSpec: what the report posts besides its page
    #: {"kind": last_year / shared_text, "with": the other report's URL} (tests/replica/templated.py)
    templated: dict[str, str] = field(default_factory=dict)

    def to_manifest(self) -> dict[str, Any]:
        # optional keys only when set: the unmutated default world's manifest stays as it was
        optional = {
            "modified": self.modified.strftime("%Y-%m-%d %H:%M:%S") if self.modified else None,
            "corrects": self.corrects,
            "superseded_by": self.superseded_by,
            "encoding": self.encoding,
            "numbers_from": self.numbers_from,
            "file_tables": tables_to_json(self.file_tables) if self.table_render in FILE_RENDERS else None,
            "templated": self.templated,
        }
        return self._core_manifest() | {k: v for k, v in optional.items() if v}

    def _core_manifest(self) -> dict[str, Any]:
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
#: an anti-bot gate: (world, method, host, path, request headers) → (challenge or None, headers to add)
Gate = Callable[["World", str, str, str, dict[str, str]], tuple[Response | None, list[tuple[str, str]]]]

#: encoding traps (sites.md §5.2): how a page's GBK bytes are labelled → (Content-Type header, meta tag)
ENCODING_TRAPS = {
    "no_charset_header": (
        "text/html",
        '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
    ),
    "wrong_header": (
        "text/html; charset=utf-8",
        '<meta http-equiv="Content-Type" content="text/html; charset=gbk">',
    ),
    "malformed_meta": ("text/html", '<meta httpequiv="ContentType" content="text/html; charset=gbk">'),
}
_CHARSET_META = re.compile(
    r'<meta charset="utf-8">|<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">'
)


def gbk_response(text: str, trap: str, modified: datetime | None = None) -> Response:
    """``text`` as GBK bytes, its charset hidden or mislabelled as ``trap`` says."""
    content_type, meta = ENCODING_TRAPS[trap]
    text = _CHARSET_META.sub(meta, text, count=1)
    return Response(200, [("Content-Type", content_type)], text.encode("gbk", "xmlcharrefreplace"), modified)


@dataclass
class World:
    seed: int
    scale: str
    pages: dict[tuple[str, str], Response] = field(default_factory=dict)
    #: pages rendered on first request (noise articles: many, and a crawler never asks for them)
    lazy: dict[tuple[str, str], Callable[[], Response]] = field(default_factory=dict)
    reports: list[Report] = field(default_factory=list)
    missing: list[dict[str, Any]] = field(default_factory=list)
    noise: list[dict[str, str]] = field(default_factory=list)
    columns: dict[str, Any] = field(default_factory=dict)  # site-specific paging data
    handlers: dict[str, Handler] = field(default_factory=dict)
    renderers: dict[str, Callable[[World, Report], None]] = field(default_factory=dict)
    #: re-render the list entries of a report after an edit: (world, old, new)
    listers: dict[str, Callable[[World, Report, Report], None]] = field(default_factory=dict)
    #: number a new report (URL), add it to its body's column lists and render it
    publishers: dict[str, Callable[[World, Report], None]] = field(default_factory=dict)
    #: a new synthetic report of the site's style: (rng, body, year) → Report
    factories: dict[str, Callable[[random.Random, Body, int], Report]] = field(default_factory=dict)
    #: Hanweb "modern" variant: ?uid=…&pageNum=N really paginates
    modern_hanweb: bool = False
    #: (host, path) → encoding trap name: those pages are served as GBK (see ENCODING_TRAPS)
    charsets: dict[tuple[str, str], str] = field(default_factory=dict)
    gate: Gate | None = None
    clock: datetime = CLOCK_START
    requests_served: int = 0
    #: the hosts of ``pages``, kept by :meth:`put`: a recount of every page whenever one was added
    #: cost each request O(pages) while other server threads built sites (1,000 counties); a new
    #: frozenset swapped in whole, so a server thread reading it never sees one half-changed
    _hosts_cache: frozenset[str] = field(default=frozenset(), repr=False)

    # -- serving ------------------------------------------------------------------------------------

    @property
    def hosts(self) -> frozenset[str]:
        return self._hosts_cache  # asked on every request

    def handle(self, method: str, host: str, target: str, body: bytes = b"", headers: Any = None) -> Response:
        """Answer one request for ``host`` (a replica host) and ``target`` (path + query).

        ``headers`` (any mapping with ``items()``) feed the anti-bot gate and conditional GETs; 200
        answers carry ``Last-Modified`` and ``ETag``, and ``If-None-Match`` / ``If-Modified-Since``
        get a 304 when the page is unchanged.
        """
        self.requests_served += 1
        request_headers = {k.lower(): v for k, v in (headers.items() if headers is not None else ())}
        parts = urlsplit(target)
        path = parts.path or "/"
        extra: list[tuple[str, str]] = []
        if self.gate is not None:
            challenge, extra = self.gate(self, method, host, path, request_headers)
            if challenge is not None:
                return challenge
        answer = self._answer(method, host, path, parts.query, body)
        if answer.status != 200:
            return answer
        return conditional(method, answer, request_headers, extra)

    def _answer(self, method: str, host: str, path: str, query_text: str, body: bytes) -> Response:
        query = parse_qs(query_text, keep_blank_values=True)
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True) if body else {}
        handler = self.handlers.get(host)
        if handler is not None:
            answer = handler(self, method, path, query, form)
            if answer is not None:
                return answer
        return self.static(host, path)

    def static(self, host: str, path: str) -> Response:
        page = self._page(host, path)
        if page is None and path.endswith("/"):
            # directory index: TRS serves list.html's content at the column's own URL
            page = self._page(host, path + "index.html") or self._page(host, path + "list.html")
        return page if page is not None else not_found()

    def _page(self, host: str, path: str) -> Response | None:
        page = self.pages.get((host, path))
        if page is None and (host, path) in self.lazy:
            page = self.lazy[(host, path)]()
        return page

    def put(self, url: str, response: Response) -> None:
        parts = urlsplit(url)
        key = (parts.hostname or "", parts.path)
        old = self.pages.get(key)
        # changed bytes must never look older than what a client may hold (If-Modified-Since)
        if (
            old is not None
            and old.body != response.body
            and (response.modified is None or (old.modified and response.modified <= old.modified))
        ):
            response.modified = self.tick()
        self._store(key, response)

    def _store(self, key: tuple[str, str], response: Response) -> None:
        self.pages[key] = response
        if key[0] not in self._hosts_cache:
            self._hosts_cache = self._hosts_cache | {key[0]}

    def put_html(self, url: str, text: str, modified: datetime | None = None) -> None:
        parts = urlsplit(url)
        trap = self.charsets.get((parts.hostname or "", parts.path))
        self.put(url, gbk_response(text, trap, modified) if trap else html_response(text, modified=modified))

    def put_lazy(self, host: str, path: str, render: Callable[[], Response]) -> None:
        self.lazy[(host, path)] = render  # (host, path), not a URL: tens of thousands at large scale

    def page_count(self) -> int:
        """Fetchable documents: static pages plus data-proxy pages (as 15-record GET pages)."""
        proxied = sum(-(-len(col["records"]) // 15) for col in self.columns.get("hanweb", {}).values())
        return len(self.pages) + len(self.lazy) + proxied

    def crawl_pages(self) -> dict[str, int]:
        """What a complete crawl must fetch at least, from the sites' own structure (not by crawling).

        reports: every posting of a current report (canonical + second-column/copy postings; aliases
        are robots-disallowed); lists: Hanweb column pages and TRS list pages; dataproxy: the POST
        windows (one group of 45 records each) after each column page's inline group.
        """
        postings = sum(
            1 + sum(1 for d in r.duplicates if d["kind"] != "alias")
            for r in self.reports
            if not r.superseded_by
        )
        hanweb = self.columns.get("hanweb", {})
        windows = sum(max(0, -(-(len(c["records"]) - 45) // 45)) for c in hanweb.values())
        trs_lists = sum(
            1 for host, path in self.pages if host == HY and re.search(r"/list(_\d+)?\.html$", path)
        )
        styled = sum(style.list_pages() for key, style in self.columns.items() if key.endswith("_style"))
        return {"reports": postings, "lists": len(hanweb) + trs_lists + styled, "dataproxy": windows}

    # -- mutation for tests ---------------------------------------------------------------------------

    def tick(self, hours: int = 1) -> datetime:
        """Advance the world's clock: each mutation happens later than everything before it."""
        self.clock += timedelta(hours=hours)
        return self.clock

    def report(self, url: str) -> Report:
        for report in self.reports:
            if url == report.url or url in (d["url"] for d in report.duplicates):
                return report
        raise KeyError(url)

    def current_reports(self) -> list[Report]:
        return [r for r in self.reports if not r.superseded_by]

    def edit_report(self, url: str, **changes: Any) -> Report:
        """Change a published report (title, published, blocks, …) and re-render its pages and lists.

        ``world.edit_report(url, title="…（更正）")`` models a silent correction at the same URL.
        """
        old = self.report(url)
        changes.setdefault("modified", self.tick())
        new = replace(old, **changes)
        self.reports[self.reports.index(old)] = new
        self.renderers[new.site](self, new)
        self.listers[new.site](self, old, new)
        return new

    def edit_numbers(self, url: str, seed: int = 0) -> StatTables | None:
        """New statistics for a report (text and HTML tables change); returns them (None for G0 prose)."""
        old = self.report(url)
        rng = random.Random(f"numbers:{seed}:{old.url}")
        tables, blocks = renumbered(rng, old)
        self.edit_report(url, tables=tables, blocks=blocks)
        return tables

    def publish_year(self, year: int, bodies: int = 5, seed: int = 0) -> list[Report]:
        """``bodies`` bodies (alternating sites) publish their report on ``year``: newest first in their lists."""
        rng = random.Random(f"publish:{self.seed}:{seed}:{year}")
        chosen = self._bodies_without(year, bodies, rng)
        published = []
        for body in chosen:
            report = self.factories[body.site](rng, body, year)
            report.column_url = self._newest(body).column_url
            self.reports.append(report)
            self.publishers[body.site](self, report)
            self.missing = [m for m in self.missing if (m["agency"], m["year"]) != (body.name, year)]
            published.append(report)
        return published

    def post_correction(self, url: str, seed: int = 0) -> Report:
        """Post 「…年度报告（更正）」 with changed numbers in the same column, later; the original is superseded."""
        old = self.report(url)
        rng = random.Random(f"correction:{seed}:{old.url}")
        tables, blocks = renumbered(rng, old)
        lines = (*old.title_lines[:-1], old.title_lines[-1] + "（更正）") if old.title_lines else ()
        correction = replace(
            old,
            title=old.title + "（更正）",
            title_lines=lines,
            published=self.tick(24),
            tables=tables,
            blocks=blocks,
            seed=None,
            url="",
            duplicates=[],
            attachments=[a for a in old.attachments if a.kind == "attachment"],
            notes=[n for n in old.notes if "attachment" in n] + ["correction (更正) posted later"],
            modified=None,
            corrects=old.url,
        )
        # the alias view shows the current version: it moves to the correction
        old.duplicates = [d for d in old.duplicates if d["kind"] != "alias"]
        self.reports.append(correction)
        self.publishers[old.site](self, correction)
        old.superseded_by = correction.url  # its page stays online, unchanged
        return correction

    def remove(self, url: str) -> None:
        """Make ``url`` answer 404 from now on (deletion drift)."""
        parts = urlsplit(url)
        self._store((parts.hostname or "", parts.path), not_found())

    def _newest(self, body: Body) -> Report:
        return max((r for r in self.reports if r.body == body), key=lambda r: r.published)

    def _bodies_without(self, year: int, count: int, rng: random.Random) -> list[Body]:
        by_site: dict[str, list[Body]] = {}
        for report in sorted(self.current_reports(), key=lambda r: (r.site, r.body.name)):
            bodies = by_site.setdefault(report.site, [])
            if report.body not in bodies:
                bodies.append(report.body)
        done = {(r.body, r.year) for r in self.reports}
        pools = [[b for b in bodies if (b, year) not in done] for _, bodies in sorted(by_site.items())]
        for pool in pools:
            rng.shuffle(pool)
        chosen = [body for group in _interleave(pools) for body in group]
        if len(chosen) < count:
            raise ValueError(f"only {len(chosen)} bodies have no report on {year}")
        return chosen[:count]

    # -- manifest ---------------------------------------------------------------------------------------

    def manifest(self) -> dict[str, Any]:
        reports = sorted(self.current_reports(), key=lambda r: (r.site, r.url))
        superseded = sorted((r for r in self.reports if r.superseded_by), key=lambda r: (r.site, r.url))
        manifest: dict[str, Any] = {
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
                    site: len({r.body.name for r in reports if r.site == site})
                    for site in sorted({r.site for r in self.reports}, key=site_order)
                },
            },
        }
        if superseded:  # one report per body and year in "reports"; replaced postings listed apart
            manifest["superseded"] = [r.to_manifest() for r in superseded]
        return manifest

    def write_manifest(self, path: Path) -> Path:
        path.write_text(json.dumps(self.manifest(), ensure_ascii=False, indent=1), encoding="utf-8")
        return path


def site_order(site: str) -> tuple[int, str]:
    """The named sites in their usual order, then generated ones (tests/replica/counties.py) by name."""
    return (ALL_SITES.index(site), "") if site in ALL_SITES else (len(ALL_SITES), site)


def _interleave(pools: list[list[Body]]) -> Iterable[list[Body]]:
    for index in range(max((len(p) for p in pools), default=0)):
        yield [pool[index] for pool in pools if index < len(pool)]


def conditional(
    method: str, page: Response, request: dict[str, str], extra: list[tuple[str, str]]
) -> Response:
    """The 200 answer with its validators, or 304 when the client's copy is current (RFC 9110 §13)."""
    when = page.modified or BUILT
    validators = [("Last-Modified", http_date(when)), ("ETag", page.etag)]
    if method in ("GET", "HEAD") and _not_modified(page.etag, when, request):
        return Response(304, [*validators, *extra], b"", page.modified)
    return Response(page.status, [*page.headers, *validators, *extra], page.body, page.modified)


def _not_modified(etag: str, when: datetime, request: dict[str, str]) -> bool:
    if "if-none-match" in request:  # an entity tag outranks the date
        tags = {t.strip().removeprefix("W/") for t in request["if-none-match"].split(",")}
        return etag in tags or "*" in tags
    if "if-modified-since" in request:
        try:
            since = parsedate_to_datetime(request["if-modified-since"])
        except (TypeError, ValueError):
            return False
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return when.replace(tzinfo=CST) <= since
    return False


def renumbered(rng: random.Random, report: Report) -> tuple[StatTables | None, list[Block]]:
    """New statistics for ``report`` and its blocks with them: HTML tables and the numbers in prose."""
    if report.generation == "G0":
        return None, content.g0_report(rng, report.body, report.year, report.published)
    if report.tables is None:
        raise ValueError(f"{report.url}: its statistics are images; there are no numbers to change")
    tables = random_tables(rng, report.tables.generation)
    return tables, content.with_tables(report.blocks, tables, rng, report.year, report.body)


def build_world(
    seed: int = 0,
    scale: str = "default",
    *,
    modern_hanweb: bool = False,
    encoding_traps: bool = False,
    sites: tuple[str, ...] = DEFAULT_SITES,
    traditional: bool = False,
) -> World:
    """Build the replica sites ``sites`` (default: the two seed portals; ``ALL_SITES``: all six) from ``seed``.

    ``scale="large"``: report years 2008–2024 (G0 before 2019) and many 事业单位 besides the organs,
    so that a complete crawl fetches more than 5,000 pages. ``encoding_traps``: one extra body per
    site with a GBK-only character in its name, its pages served as GBK under misleading labels.
    """
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {SCALES}, not {scale!r}")
    unknown = set(sites) - set(ALL_SITES + UNSEEN_SITES)
    if unknown:
        raise ValueError(f"unknown replica sites {sorted(unknown)}; known: {ALL_SITES + UNSEEN_SITES}")
    from tests.replica import county, hanweb, hosts, templated, trs  # the site builders import this module

    world = World(seed=seed, scale=scale, modern_hanweb=modern_hanweb)
    if "wendeng" in sites:
        hanweb.build(world, random.Random(f"wendeng:{seed}"), encoding_traps=encoding_traps)
    if "hy" in sites:
        trs.build(world, random.Random(f"hy:{seed}"), encoding_traps=encoding_traps)
    # after the seed portals: copies of one report's text into another (its own random stream)
    templated.add_templated(world, random.Random(f"templated:{seed}"))
    if traditional:
        county.traditional_seed_titles(world, random.Random(f"traditional:{seed}"))
    styles = hosts.STYLES | hosts.UNSEEN_STYLES
    for site in (s for s in NEW_SITES + UNSEEN_SITES if s in sites):
        county.build(world, random.Random(f"{site}:{seed}"), styles[site]())
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
