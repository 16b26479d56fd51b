"""One engine for the replica's newer county hosts: bodies, reports, lists and articles; a :class:`Style`
says how a CMS names its columns, pages, articles and files and how it marks them up.

The hosts built on it (tests/replica/yeartree.py, dede.py, classic.py, shtml.py) differ in markup and URL
grammar, not in what they publish: a county government, departments and towns, one report per body and
year (some years skipped), noise in every list, and some titles printed in traditional script.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any, ClassVar

from tests.replica import content
from tests.replica.common import noise_entries, plan_years, spread_dates, synthetic_report
from tests.replica.content import Body
from tests.replica.world import Attachment, Report, Response, World, html_response

YEARS = tuple(range(2019, 2025))
#: share of report titles printed in traditional script (at least one per host)
TRADITIONAL_SHARE = 0.2


@dataclass
class Column:
    """One paged list: a body's 年报 column, or (year-tree sites) a year × unit-type folder."""

    key: str
    name: str  # its link text
    path: str  # the column's directory, ending in /
    group: str  # 政府 / 部门 / 乡镇街道: the navigation directory it sits in
    body: Body | None = None
    per_page: int = 10
    id: int = 0  # the CMS's column / type id, when its URLs carry one
    items: list[Item] = field(default_factory=list)


@dataclass
class Item:
    """One list entry: a report's posting, or noise."""

    published: datetime
    column: Column
    title: str
    report: Report | None = None
    kind: str = "canonical"  # canonical / repost (the same report posted again) / noise
    blocks: list[content.Block] = field(default_factory=list)
    path: str = ""
    serial: int = 0  # article id where the CMS numbers articles
    files: list[Attachment] = field(default_factory=list)
    list_date: str = ""  # the date as the list prints it, when not the style's usual format


class Style:
    """What one host's CMS looks like. Subclasses fill in the URL grammar and the markup."""

    site = ""
    host = ""
    name = ""  # the government's name as the portal's header prints it
    departments: ClassVar[list[tuple[str, str]]] = []
    towns: ClassVar[list[tuple[str, str]]] = []
    always: tuple[str, ...] = ()  # bodies every seed publishes (short names)
    per_page = (6, 9)
    noise = (8, 14)

    @property
    def root(self) -> str:
        return f"http://{self.host}"

    def __init__(self) -> None:
        self.column_map: dict[str, Column] = {}  # filled by columns()

    def columns(
        self, rng: random.Random, government: Body, departments: list[Body], towns: list[Body]
    ) -> None:
        raise NotImplementedError

    def extras(self, world: World, rng: random.Random, items: list[Item]) -> list[Item]:
        """More postings (a report posted twice …), before numbering."""
        return []

    def finish(self, world: World) -> None:
        """After every page is rendered (cross-references between postings)."""

    def column_of(self, report: Report) -> Column:
        raise NotImplementedError

    def prepare(self, rng: random.Random, report: Report) -> None:
        """Give a fresh report the style's traits (attachments only, a different folder, …)."""

    def number(self, rng: random.Random, items: list[Item]) -> None:
        """Give every item its path (and id), in publish order."""
        raise NotImplementedError

    def list_path(self, column: Column, number: int) -> str:
        raise NotImplementedError

    def list_html(self, column: Column, items: list[Item], number: int, pages: int) -> str:
        raise NotImplementedError

    def article_html(self, item: Item) -> str:
        raise NotImplementedError

    def files(self, item: Item) -> list[Attachment]:
        return []

    def navigation(self, world: World) -> None:
        raise NotImplementedError

    def respond(self, text: str, path: str, modified: datetime | None) -> Response:
        return html_response(text, modified=modified)

    def file_response(self, attachment: Attachment, modified: datetime) -> Response:
        return Response(200, [("Content-Type", attachment.content_type)], attachment.content(), modified)

    def list_pages(self) -> int:
        """How many list pages the host's columns have (World.crawl_pages)."""
        return sum(pages_of(column) for column in self.column_map.values())

    def store(self, world: World, path: str, response: Response) -> None:
        world.put(self.root + path, response)

    def handle(self, world: World, method: str, path: str, query: dict[str, list[str]]) -> Response | None:
        return None  # parameterised URLs, if the CMS has any


@cache
def _converter() -> Any:
    import opencc  # opencc-python-reimplemented or opencc: both take "s2t"

    return opencc.OpenCC("s2t")


def traditional(text: str) -> str:
    """``text`` in traditional script (「…年度報告」, 「…縣…」, 「…辦公室…」)."""
    return _converter().convert(text)


def build(world: World, rng: random.Random, style: Style) -> None:
    """Build one host from ``style``: bodies, reports, noise, lists, articles, files, navigation."""
    government, departments, towns = choose_bodies(rng, style)
    style.columns(rng, government, departments, towns)
    items: list[Item] = []
    for body in (government, *departments, *towns):
        items += _body_reports(world, rng, style, body)
    _traditional_titles(rng, items)
    items += style.extras(world, rng, items)
    for column in _all_columns(style):
        column.per_page = rng.randint(*style.per_page)
        items += noise_items(rng, column, rng.randint(*style.noise), style.name)
    style.number(rng, items)
    world.noise += noise_entries(style.site, style.root, items)
    for item in items:
        item.column.items.append(item)
    for column in _all_columns(style):
        put_lists(world, style, column)
    for item in items:
        if item.kind == "noise":
            world.put_lazy(
                style.host,
                item.path,
                lambda i=item: style.respond(style.article_html(i), i.path, i.published),
            )
        else:
            render_item(world, style, item)
    style.navigation(world)
    style.finish(world)
    world.columns[f"{style.site}_items"] = [i for i in items if i.report is not None]
    world.columns[f"{style.site}_style"] = style
    world.handlers[style.host] = lambda w, method, path, query, form: style.handle(w, method, path, query)
    world.renderers[style.site] = lambda w, report: _rerender(w, style, report)
    world.listers[style.site] = lambda w, old, new: _relist(w, style, new)
    world.publishers[style.site] = lambda w, report: _publish(w, style, report)
    world.factories[style.site] = lambda r, body, year: _report(r, style, body, year)


def choose_bodies(rng: random.Random, style: Style) -> tuple[Body, list[Body], list[Body]]:
    code = lambda: content.credit_code(rng, style.site)  # noqa: E731
    departments = _sample(rng, style.departments, (4, 6), style.always)
    towns = _sample(rng, style.towns, (3, 5), style.always)
    return (
        content.government_body(style.site, code()),
        [content.department_body(style.site, short, slug, code()) for short, slug in departments],
        [content.town_body(style.site, short, slug, code()) for short, slug in towns],
    )


def _sample(
    rng: random.Random, pool: list[tuple[str, str]], size: tuple[int, int], always: tuple[str, ...]
) -> list[tuple[str, str]]:
    chosen = [b for b in pool if b[0] in always]
    chosen += rng.sample([b for b in pool if b[0] not in always], rng.randint(*size) - len(chosen))
    return sorted(chosen, key=pool.index)


def _all_columns(style: Style) -> list[Column]:
    return list(style.column_map.values())


def _report(rng: random.Random, style: Style, body: Body, year: int) -> Report:
    report = synthetic_report(style.site, rng, body, year, image_share=0.0)
    style.prepare(rng, report)
    return report


def _body_reports(world: World, rng: random.Random, style: Style, body: Body) -> list[Item]:
    plan = plan_years(rng, body, {2022, 2023}, YEARS)
    world.missing += [{"site": style.site, "agency": body.name, "year": y} for y in plan.missing]
    items = []
    for year in plan.years:
        report = _report(rng, style, body, year)
        column = style.column_of(report)
        report.column_url = style.root + style.list_path(column, 0)
        world.reports.append(report)
        items.append(Item(report.published, column, report.title, report))
    return items


def _traditional_titles(rng: random.Random, items: list[Item]) -> None:
    """Some titles printed in traditional script (the agency stays simplified in the manifest)."""
    chosen = [i for i in items if rng.random() < TRADITIONAL_SHARE] or [rng.choice(items)]
    for item in chosen:
        make_traditional(item.report)
        item.title = item.report.title


def make_traditional(report: Report) -> None:
    report.title = traditional(report.title)
    report.title_lines = tuple(traditional(line) for line in report.title_lines)
    report.notes.append("title in traditional script")


def noise_items(rng: random.Random, column: Column, count: int, owner: str) -> list[Item]:
    body = column.body or Body("", owner, column.name, column.group, "", "")
    dates = spread_dates(rng, count, datetime(2019, 1, 2, 8), datetime(2025, 12, 30, 18))
    return [
        Item(
            when,
            column,
            title := content.noise_title(rng, body, when.year - 1, near_miss=i == 0),
            kind="noise",
            blocks=content.noise_blocks(rng, title),
        )
        for i, when in enumerate(dates)
    ]


def pages_of(column: Column) -> int:
    return max(1, -(-len(column.items) // column.per_page))


def put_lists(world: World, style: Style, column: Column) -> None:
    """(Re-)render a column's list pages, newest first; Last-Modified = the page's newest item."""
    column.items.sort(key=lambda i: (i.published, i.path), reverse=True)
    pages = pages_of(column)
    for number in range(pages):
        chunk = column.items[number * column.per_page : (number + 1) * column.per_page]
        path = style.list_path(column, number)
        newest = chunk[0].published if chunk else None
        style.store(world, path, style.respond(style.list_html(column, chunk, number, pages), path, newest))


def render_item(world: World, style: Style, item: Item) -> None:
    """An article page and its files; the canonical posting sets the report's URL and attachments."""
    report = item.report
    item.files = style.files(item)
    if item.kind == "canonical":
        report.url = style.root + item.path
        report.attachments = [f for f in item.files if not f.format.startswith("broken")]
    elif all(d["url"] != style.root + item.path for d in report.duplicates):
        report.duplicates.append({"url": style.root + item.path, "kind": "repost_correction"})
    for attachment in item.files:
        if not attachment.format.startswith("broken"):
            _serve(world, style, attachment, report.published)
    when = report.modified or item.published
    world.put(style.root + item.path, style.respond(style.article_html(item), item.path, when))


def _serve(world: World, style: Style, attachment: Attachment, published: datetime) -> None:
    path = attachment.url.removeprefix(style.root).split("?", 1)[0]
    world.put_lazy(style.host, path, lambda a=attachment: style.file_response(a, published))


def _postings(world: World, style: Style, report: Report) -> list[Item]:
    return [
        i for i in world.columns[f"{style.site}_items"] if i.report is report or i.report.url == report.url
    ]


def _rerender(world: World, style: Style, report: Report) -> None:
    for item in _postings(world, style, report):
        item.report = report
        if item.kind == "canonical":  # a re-post keeps its own title and date
            item.title, item.published = report.title, report.published
        render_item(world, style, item)


def _relist(world: World, style: Style, new: Report) -> None:
    for item in _postings(world, style, new):
        if item.kind == "canonical":
            item.title, item.published = new.title, new.published
        put_lists(world, style, item.column)


def _publish(world: World, style: Style, report: Report) -> None:
    """A new report (or a correction): numbered after everything else, first in its column."""
    column = style.column_of(report)
    item = Item(report.published, column, report.title, report)
    style.number(random.Random(f"{report.title}/{report.published}"), [item])
    column.items.append(item)
    world.columns[f"{style.site}_items"].append(item)
    put_lists(world, style, column)
    render_item(world, style, item)


def post_twice(item: Item, hours: int) -> Item:
    """The same report posted again ``hours`` later as 「…（更正）」 with the very same body (sites.md
    §6.5): a second posting of one report, folded into it like any duplicate."""
    report = item.report
    report.notes.append("posted again later as 「（更正）」 with the same body")
    return Item(item.published + timedelta(hours=hours), item.column, report.title + "（更正）", report, "repost")


def traditional_seed_titles(world: World, rng: random.Random, share: float = 0.1) -> None:
    """Re-title some reports of the sites built so far in traditional script (lists and pages follow)."""
    current = sorted(world.current_reports(), key=lambda r: (r.site, r.url))
    for site in sorted({r.site for r in current}):
        mine = [r for r in current if r.site == site]
        for report in [r for r in mine if rng.random() < share] or [rng.choice(mine)]:
            title_lines = tuple(traditional(line) for line in report.title_lines)
            notes = [*report.notes, "title in traditional script"]
            world.edit_report(report.url, title=traditional(report.title), title_lines=title_lines, notes=notes,
                              modified=None)  # fmt: skip
