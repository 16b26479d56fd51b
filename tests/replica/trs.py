"""Archetype B: a TRS 集约化 county portal modelled on www.hy.gov.cn (sites.md §2, §6.3)."""

from __future__ import annotations

import html
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from tests.replica import content
from tests.replica import files as replica_files
from tests.replica.common import (
    LARGE_INSTITUTIONS,
    digits,
    g0_report,
    noise_entries,
    plan_years,
    scale_years,
    spread_dates,
    synthetic_report,
)
from tests.replica.content import Body
from tests.replica.world import (
    ENCODING_TRAPS,
    HY,
    Attachment,
    Report,
    Response,
    World,
    html_response,
    inline_markup,
)
from tests.support.values import seed_tables

SITE = "hy"
ROOT = f"http://{HY}"
SITE_NAME = "海原县人民政府"
NIANBAO = "/xxgk/zfxxgknb/"
ALWAYS_DEPARTMENTS = ("人民政府办公室", "财政局", "教育体育局")
ALWAYS_TOWNS = ("海城镇", "三河镇")
EMPTY_TOWN = "关庄乡"  # its 年报 column exists but holds nothing
TRS_STYLE = (
    '<style type="text/css">.TRS_Editor P{margin-top:5px;margin-bottom:5px;line-height:1.75;font-family:仿宋_GB2312;'
    "font-size:16pt;}.TRS_Editor DIV{margin-top:5px;margin-bottom:5px;line-height:1.75;font-family:仿宋_GB2312;}"
    ".TRS_Editor TD{font-size:12pt;}</style>"
)


@dataclass
class Column:
    path: str  # e.g. /xxgk/bmxxgkml/czj_50123/xxgknb_50130/
    name: str
    body: Body | None
    template: str = "plain"  # plain (div.xxgk_wrap) / boxcon (信息公开目录)
    per_page: int = 18
    items: list[Item] = field(default_factory=list)


@dataclass
class Item:
    """One list entry: a report copy, a link to a report elsewhere, or noise."""

    published: datetime
    column: Column
    title: str
    report: Report | None = None
    kind: str = "canonical"  # canonical / copy / link / noise
    url_date: datetime | None = None  # the date in the URL, when it differs from the publish date
    blocks: list[content.Block] = field(default_factory=list)
    path: str = ""  # absolute path of the article
    index_no: str = ""


# -- building ----------------------------------------------------------------------------------------------


def build(world: World, rng: random.Random, *, encoding_traps: bool = False) -> None:
    government, departments, towns, empty = _choose_bodies(rng)
    departments += _extra_bodies(world, encoding_traps)  # 事业单位 are listed among the 县直部门
    county = Column(NIANBAO, "政府信息公开年报", government)
    dept_ids = rng.sample(range(50000, 59999), 2 * len(departments))
    columns = {government.name: county}
    for i, body in enumerate(departments):
        first, second = sorted(dept_ids[2 * i : 2 * i + 2])
        path = f"/xxgk/bmxxgkml/{body.slug}_{first}/xxgknb_{second}/"
        columns[body.name] = Column(path, body.name, body, "boxcon")
    for body in [*towns, empty]:
        columns[body.name] = Column(f"/xxgk/xzxxgk/{body.slug}/xxgknb/", body.name, body)
    for column in columns.values():
        column.per_page = rng.randint(15, 20)

    items: list[Item] = []
    for body in [government, *departments, *towns]:
        items += _body_reports(world, rng, body, columns[body.name])
    world.missing += [{"site": SITE, "agency": empty.name, "year": y} for y in range(2019, 2025)]
    items += _county_cross_posts(rng, world, county)
    _url_month_trap(rng, items)
    noise_range = (220, 320) if world.scale == "large" else (35, 60)
    for column in columns.values():
        if column.body is not empty:
            items += _noise(rng, column, rng.randint(*noise_range))
    last_page_column = columns[towns[-1].name]
    items += _pad_to_single_last_item(rng, last_page_column, items)
    last_doc_id = _number(rng, items)
    world.noise += noise_entries(SITE, ROOT, items)

    for item in items:
        item.column.items.append(item)
    if encoding_traps:
        _encoding_traps(world, columns[departments[-1].name])
    for column in columns.values():
        _put_list_pages(world, column)
    for item in items:
        if item.kind == "noise":
            world.put_lazy(
                HY, item.path, lambda i=item: html_response(_article_page(i, [], []), modified=i.published)
            )
    _put_navigation(world, government, columns, departments, [*towns, empty])
    world.columns["trs_items"] = [i for i in items if i.report is not None and i.kind != "link"]
    world.columns["trs_state"] = {"columns": {c.path: c for c in columns.values()}, "doc_id": last_doc_id}
    world.columns["trs_columns"] = {
        "county": county.path,
        "empty": columns[empty.name].path,
        "single_last_item": last_page_column.path,
    }
    world.renderers[SITE] = render_report
    world.listers[SITE] = relist_report
    world.publishers[SITE] = publish_report
    world.factories[SITE] = _synthetic_report
    replica_files.plan_site(SITE, [r for r in world.reports if r.site == SITE])
    for report in world.reports:
        if report.site == SITE:
            render_report(world, report)


def _choose_bodies(rng: random.Random) -> tuple[Body, list[Body], list[Body], Body]:
    code = lambda: content.credit_code(rng, SITE)  # noqa: E731
    order = {name: i for i, (name, _) in enumerate(content.HY_DEPARTMENTS + content.HY_TOWNS)}
    departments = [d for d in content.HY_DEPARTMENTS if d[0] in ALWAYS_DEPARTMENTS]
    departments += rng.sample(
        [d for d in content.HY_DEPARTMENTS if d[0] not in ALWAYS_DEPARTMENTS], rng.randint(7, 11)
    )
    towns = [t for t in content.HY_TOWNS if t[0] in ALWAYS_TOWNS]
    others = [t for t in content.HY_TOWNS if t[0] not in (*ALWAYS_TOWNS, EMPTY_TOWN)]
    towns += rng.sample(others, rng.randint(4, 7))
    departments.sort(key=lambda d: order[d[0]])
    towns.sort(key=lambda t: order[t[0]])
    empty_slug = dict(content.HY_TOWNS)[EMPTY_TOWN]
    return (
        content.government_body(SITE, code()),
        [content.department_body(SITE, short, slug, code()) for short, slug in departments],
        [content.town_body(SITE, short, slug, code()) for short, slug in towns],
        content.town_body(SITE, EMPTY_TOWN, empty_slug, code()),
    )


def _extra_bodies(world: World, encoding_traps: bool) -> list[Body]:
    """Large scale: the 事业单位; encoding traps: one body whose name needs GBK (always last)."""
    rng = random.Random(f"hy:{world.seed}:extra")  # apart from the main stream: default stays as it is
    extra = []
    if world.scale == "large":
        extra += content.institution_bodies(rng, SITE, LARGE_INSTITUTIONS, content.HY_TOWNS)
    if encoding_traps:
        extra.append(content.institution_body(rng, SITE, *content.GBK_ONLY_BODIES[SITE]))
    return extra


def _encoding_traps(world: World, column: Column) -> None:
    """The GBK-named body's list pages and reports served as GBK, each under one misleading label."""
    pages = max(1, -(-len(column.items) // column.per_page))
    for number in range(pages):
        world.charsets[(HY, column.path + (f"list_{number}.html" if number else "list.html"))] = (
            "no_charset_header"
        )
    traps = sorted(ENCODING_TRAPS)
    mine = sorted((i for i in column.items if i.kind == "canonical"), key=lambda i: i.report.year)
    for index, item in enumerate(mine):
        trap = traps[index % len(traps)]
        world.charsets[(HY, item.path)] = trap
        item.report.encoding = {"charset": "gbk", "trap": trap}
        item.report.notes.append(f"served as GBK ({trap})")


def _body_reports(world: World, rng: random.Random, body: Body, column: Column) -> list[Item]:
    plan = plan_years(rng, body, {2019, 2022}, scale_years(world.scale))
    world.missing += [{"site": SITE, "agency": body.name, "year": y} for y in plan.missing]
    items = []
    for year in plan.years:
        if body.short == "海城镇" and year == 2022:
            report = _seed_report(rng, body)
        elif year <= 2018 or (
            year == 2019 and (body.kind == "政府" or (body.kind == "乡镇街道" and rng.random() < 0.3))
        ):
            report = _g0_report(rng, body, year)
        else:
            report = _synthetic_report(rng, body, year)
        report.column_url = ROOT + column.path + "list.html"
        world.reports.append(report)
        items.append(Item(report.published, column, report.title, report))
    return items


def _seed_report(rng: random.Random, body: Body) -> Report:
    tables = seed_tables("001")
    published = content.publish_time(rng, 2022, body)
    report = Report(
        SITE,
        body,
        2022,
        published,
        f"{body.name}2022年政府信息公开工作年度报告",
        content.seed_report("001", tables, rng),
        "G2",
        "html",
        tables,
        (body.name, "2022年政府信息公开工作年度报告"),
        "001",
    )
    report.notes.append("seed 001")
    return report


def _g0_report(rng: random.Random, body: Body, year: int) -> Report:
    return g0_report(SITE, rng, body, year)


def _synthetic_report(rng: random.Random, body: Body, year: int) -> Report:
    report = synthetic_report(SITE, rng, body, year, image_share=0.2)
    if report.tables is None:
        report.notes.append("tables as W020 images + pdf attachment")
        report.files = replica_files.FileSpec(attachment="pdf", extension="pdf")  # the world's plan may change it
        report.numbers_from = "pdf"
    elif rng.random() < 0.2:
        report.notes.append("xls attachment")
        report.files = replica_files.FileSpec(attachment="xlsx", extension="xlsx")
    return report


def _county_cross_posts(rng: random.Random, world: World, county: Column) -> list[Item]:
    """Department reports linked from the county column (same URL), and one copied (own docId)."""
    department_reports = sorted(
        (r for r in world.reports if r.site == SITE and r.body.kind == "部门"),
        key=lambda r: (r.body.name, r.year),
    )
    linked = rng.sample(department_reports, 4)
    items = [Item(r.published, county, r.title, r, "link") for r in linked[:3]]
    copied = linked[3]
    copied.notes.append("copied into the county 年报 column (second docId)")
    items.append(Item(copied.published + timedelta(hours=2), county, copied.title, copied, "copy"))
    for report in linked[:3]:
        report.notes.append("also linked from the county 年报 column")
    return items


def _url_month_trap(rng: random.Random, items: list[Item]) -> None:
    """One report whose URL says March while it was published in January (t202303… vs 2023-01-xx)."""
    january = sorted(
        (i for i in items if i.kind == "canonical" and i.published.month == 1), key=lambda i: i.title
    )
    item = rng.choice(january)
    item.url_date = item.published.replace(month=3, day=min(item.published.day + 5, 28))
    item.report.notes.append("URL month differs from the publish date")


def _noise(rng: random.Random, column: Column, count: int) -> list[Item]:
    dates = spread_dates(rng, count, datetime(2019, 1, 2, 8), datetime(2025, 12, 30, 18))
    near_miss_index = 0 if column.path == NIANBAO else -1
    return [
        Item(
            when,
            column,
            title := content.noise_title(rng, column.body, when.year - 1, near_miss=i == near_miss_index),
            kind="noise",
            blocks=content.noise_blocks(rng, title),
        )
        for i, when in enumerate(dates)
    ]


def _pad_to_single_last_item(rng: random.Random, column: Column, items: list[Item]) -> list[Item]:
    """Make the column's last page (list_{P-1}) hold exactly one entry, its oldest report."""
    count = sum(1 for i in items if i.column is column)
    extra = (1 - count) % column.per_page
    oldest = min((i for i in items if i.column is column and i.report), key=lambda i: i.published)
    padding = _noise(rng, column, extra)
    for item in (*padding, *(i for i in items if i.column is column and i.kind == "noise")):
        item.published = max(item.published, oldest.published + timedelta(days=1))
    oldest.report.notes.append("alone on the column's last list page")
    return padding


def _number(rng: random.Random, items: list[Item]) -> int:
    """docIds from one site-wide counter rising with the URL date (the Ningxia platform's way); the last."""
    doc_id = rng.randint(3000000, 3200000)
    serials: dict[int, int] = {}
    for item in sorted(
        (i for i in items if i.kind != "link"),
        key=lambda i: (i.url_date or i.published, i.column.path, i.title),
    ):
        doc_id += rng.randint(1, 1500)
        day = item.url_date or item.published
        item.path = f"{item.column.path}{day:%Y%m}/t{day:%Y%m%d}_{doc_id}.html"
        serials[item.published.year] = serials.get(item.published.year, 0) + rng.randint(1, 9)
        body = item.report.body if item.report else item.column.body
        item.index_no = f"{body.code}/{item.published.year}-{serials[item.published.year]:05d}"
        if item.kind == "canonical":
            item.report.url = ROOT + item.path
        elif item.kind == "copy":
            item.report.duplicates.append({"url": ROOT + item.path, "kind": "copy_in_county_column"})
    for item in items:
        if item.kind == "link":
            item.path = ""  # resolved at render time: the report's own URL
    return doc_id


# -- lists ----------------------------------------------------------------------------------------------------


def _href(column: Column, item: Item) -> str:
    """Directory-relative, as TRS writes it: ./YYYYMM/t….html, or ../ up to another column."""
    target = item.path or item.report.url.removeprefix(ROOT)
    if target.startswith(column.path):
        return "./" + target.removeprefix(column.path)
    depth = column.path.strip("/").count("/") + 1
    return "../" * (depth - 1) + target.removeprefix("/xxgk/")


def _put_list_pages(world: World, column: Column) -> None:
    """(Re-)render every list page of a column, newest first; Last-Modified = the page's newest item."""
    column.items.sort(key=lambda i: (i.published, i.path), reverse=True)
    pages = max(1, -(-len(column.items) // column.per_page))
    for number in range(pages):
        chunk = column.items[number * column.per_page : (number + 1) * column.per_page]
        name = "list.html" if number == 0 else f"list_{number}.html"
        newest = chunk[0].published if chunk else None
        world.put_html(f"{ROOT}{column.path}{name}", _list_page(column, chunk, number, pages), newest)


def _truncate(title: str, width: int = 30) -> str:
    return title if len(title) <= width else title[: width - 1] + "…"


def _list_entry(column: Column, item: Item) -> str:
    href, title = _href(column, item), html.escape(item.title)
    if column.template == "boxcon":
        return (
            f'<li><a href="{href}" title="{title}" target="_blank">{html.escape(_truncate(item.title))}</a>'
            f'<p><span class="t">索 引 号：</span><span>{item.index_no}</span></p>'
            f"<p>名 称：{title}</p><p>文 号：</p><p>公开时限：长期公开</p>"
            f"<p>生成日期：<span>{item.published:%Y-%m-%d}</span></p>"
            f"<p>责任部门：<span>{html.escape(column.body.name)}</span></p></li>"
        )
    return (
        f'<ul><li class="w383"><a href="{href}" title="{title}" target="_blank">{html.escape(_truncate(item.title))}'
        f'</a></li><li class="w100"><span>{item.published:%Y-%m-%d}</span></li></ul>'
    )


def _list_page(column: Column, items: list[Item], current: int, pages: int) -> str:
    entries = "\n".join(_list_entry(column, i) for i in items)
    wrapper = (
        f'<div class="boxcon"><ul>\n{entries}\n</ul></div>'
        if column.template == "boxcon"
        else (f'<div class="xxgk_wrap">\n{entries}\n</div>')
    )
    count = pages if items else 1
    footer = (
        f'<div class="page"><script>var countPage = {count}; '
        f'createPageHTML(countPage, {current if items else 0}, "list", "html");</script></div>'
    )
    crumbs = (
        f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/index.html">政府信息公开</a>'
        f" &gt; {html.escape(column.name)}</div>"
    )
    return _page(f"{column.name}_{SITE_NAME}", crumbs + _xxgk_nav() + wrapper + footer)


# -- navigation -------------------------------------------------------------------------------------------------

_XXGK_NAV = (
    ("政府信息公开指南", "/xxgk/zfxxgkzn/"),
    ("政府信息公开制度", "/xxgk/zfxxgkzd/"),
    ("法定主动公开内容", "/xxgk/zfxxgkml/"),
    ("政府信息公开年报", NIANBAO),
    ("依申请公开", "/xxgk/ysqgk/"),
    ("乡镇部门信息公开", "/xxgk/xzbmxxgk/"),
)


def _xxgk_nav() -> str:
    items = "".join(f'<li><a href="{href}">{name}</a></li>' for name, href in _XXGK_NAV)
    return f'<div class="xxgk_left"><h3>政府信息公开</h3><ul>{items}</ul></div>'


def _page(title: str, body: str, head: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n{head}</head>\n<body>\n"
        '<div class="header"><a href="/">海原县人民政府</a> <a href="/xxgk/index.html">信息公开</a> '
        '<a href="/xxgk/ldzc/">领导之窗</a> <a href="http://www.nxzw.gov.cn/">中卫市人民政府</a></div>\n'
        f'{body}\n<div class="footer">主办：海原县人民政府办公室 网站标识码：6405220001</div>\n'
        "<script>var _trs_uv = '';</script>\n</body>\n</html>\n"
    )


def _put_navigation(
    world: World, government: Body, columns: dict[str, Column], departments: list[Body], towns: list[Body]
) -> None:
    world.put_html(
        ROOT + "/index.html",
        _page(SITE_NAME, '<div class="nav"><a href="/xxgk/index.html">政府信息公开</a></div>'),
    )
    world.put_html(ROOT + "/xxgk/index.html", _page(f"政府信息公开_{SITE_NAME}", _xxgk_nav()))
    world.put(
        ROOT + "/robots.txt", Response(200, [("Content-Type", "text/plain")], b"User-agent: *\nDisallow:\n")
    )
    for name, href in _XXGK_NAV:
        if href not in (NIANBAO, "/xxgk/xzbmxxgk/"):
            world.put_html(
                f"{ROOT}{href}index.html", _page(f"{name}_{SITE_NAME}", _xxgk_nav() + f"<h2>{name}</h2>")
            )
    world.put_html(ROOT + "/xxgk/ldzc/index.html", _page(f"领导之窗_{SITE_NAME}", "<h2>领导之窗</h2>"))
    tabs = (
        '<ul class="tabs"><li><a href="/xxgk/bmxxgkml/index.html">县直部门信息公开</a></li>'
        '<li><a href="/xxgk/xzxxgk/index.html">乡镇信息公开</a></li></ul>'
    )
    world.put_html(
        ROOT + "/xxgk/xzbmxxgk/index.html", _page(f"乡镇部门信息公开_{SITE_NAME}", _xxgk_nav() + tabs)
    )
    for index, bodies, title in (
        ("/xxgk/bmxxgkml/", departments, "县直部门信息公开"),
        ("/xxgk/xzxxgk/", towns, "乡镇信息公开"),
    ):
        links = "".join(
            f'<li><a href="./{columns[b.name].path.removeprefix(index)}list.html" title="{b.name}">{b.name}</a></li>'
            for b in bodies
        )
        world.put_html(
            f"{ROOT}{index}index.html",
            _page(f"{title}_{SITE_NAME}", _xxgk_nav() + f'<div class="unit_list"><ul>{links}</ul></div>'),
        )


# -- articles (re-rendered on edit) --------------------------------------------------------------------------------


def _postings(world: World, url: str) -> list[Item]:
    """The items (canonical page, copies) publishing the report whose canonical URL is ``url``."""
    index: dict[str, list[Item]] = world.columns.setdefault("trs_postings", {})
    if not index:  # built once: a scan per report would be quadratic at large scale
        for item in world.columns["trs_items"]:
            index.setdefault(item.report.url, []).append(item)
    return index.get(url, [])


def render_report(world: World, report: Report) -> None:
    for item in _postings(world, report.url):
        if item.report is not None:
            item.report = report
            images, files = _files(item, report)
            if item.kind == "canonical":
                report.attachments = [*files, *images]
            for attachment in (*files, *images):
                _serve_lazily(world, attachment, report.published)
            world.put_html(
                ROOT + item.path, _article_page(item, images, files), report.modified or report.published
            )


def publish_report(world: World, report: Report) -> None:
    """Number a new report (next docId), list it first in its column (pushing items to later pages), render it."""
    state = world.columns["trs_state"]
    column = state["columns"][report.column_url.removeprefix(ROOT).removesuffix("list.html")]
    rng = random.Random(f"{report.title}/{report.published}")
    state["doc_id"] += rng.randint(1, 1500)
    day = report.published
    item = Item(day, column, report.title, report)
    item.path = f"{column.path}{day:%Y%m}/t{day:%Y%m%d}_{state['doc_id']}.html"
    item.index_no = f"{report.body.code}/{day.year}-{rng.randint(1, 99999):05d}"
    report.url = ROOT + item.path
    column.items.append(item)
    _postings(world, report.url)  # index the existing items before adding this one
    world.columns["trs_items"].append(item)
    world.columns["trs_postings"].setdefault(report.url, []).append(item)
    _put_list_pages(world, column)
    render_report(world, report)


def relist_report(world: World, old: Report, new: Report) -> None:
    """After an edit: every list entry of the report (its own, copies, links) shows its new title and date."""
    if (old.title, old.published) == (new.title, new.published):
        return
    for column in world.columns["trs_state"]["columns"].values():
        entries = [i for i in column.items if i.report is not None and i.report.url == new.url]
        for item in entries:
            item.report = new
            item.title = new.title
            item.published += new.published - old.published
        if entries:
            _put_list_pages(world, column)


def _serve_lazily(world: World, attachment: Attachment, published: datetime) -> None:
    def answer(a: Attachment = attachment) -> Response:
        return Response(200, [("Content-Type", a.content_type)], a.content(), published)

    world.put_lazy(HY, attachment.url.removeprefix(ROOT), answer)


def _files(item: Item, report: Report) -> tuple[list[Attachment], list[Attachment]]:
    """W020….jpg table images and a P020… attachment, named after the canonical page's date."""
    base = ROOT + item.path.rsplit("/", 1)[0] + "/"
    stamp = report.published.strftime("%Y%m%d%H%M%S")
    images = [
        replica_files.attachment(
            f"{base}W020{stamp}{digits(f'{report.url}/{i}', 6)}.jpg", f"W020{stamp}.jpg", report,
            kind="image", fmt="jpg", image=section,
        )
        for i, section in enumerate(replica_files.image_sections(report.blocks))
    ]  # fmt: skip
    spec = replica_files.spec_of(report)
    files = []
    if spec.attachment:
        key, label = ("xls", "统计表") if report.tables is not None else ("pdf", "年度报告")
        extension = spec.extension or replica_files.extension_of(spec.attachment)
        name = f"{report.body.short}{report.year}年政府信息公开工作{label}.{extension}"
        url = f"{base}P020{stamp}{digits(f'{report.url}/{key}', 6)}.{extension}"
        content_type = replica_files.CONTENT_TYPES.get(extension.lower(), "application/octet-stream")
        files.append(replica_files.attachment(url, name, report, fmt=spec.attachment, content_type=content_type))
    return images, files


def _blocks_html(blocks: list[content.Block], images: list[Attachment]) -> str:
    out, pictures = [], iter(images)
    for kind, value in blocks:
        if kind in ("p", "h"):
            out.append(f'<p style="text-indent:2em">{inline_markup(value)}</p>')
        elif kind == "html":
            out.append(value)
        else:
            name = next(pictures).url.rsplit("/", 1)[1]
            out.append(
                f'<p style="text-align:center"><img src="./{name}" oldsrc="{name}" alt="{html.escape(value)}"></p>'
            )
    return "\n".join(out)


def _article_page(item: Item, images: list[Attachment], files: list[Attachment]) -> str:
    report = item.report
    title = report.title if report else item.title
    body = report.body if report else item.column.body
    when = report.published if report else item.published
    blocks = report.blocks if report else item.blocks
    lines = report.title_lines if report and report.title_lines else (title,)
    meta = {
        "SiteName": SITE_NAME,
        "SiteDomain": HY,
        "SiteIDCode": "6405220001",
        "ColumnName": item.column.name,
        "ArticleTitle": title,
        "PubDate": f"{when:%Y-%m-%d %H:%M}",
        "ContentSource": body.name,
    }
    head = "".join(f'<meta name="{k}" content="{html.escape(v)}">\n' for k, v in meta.items())
    appendix = "".join(
        f'<a href="./{a.url.rsplit("/", 1)[1]}" oldsrc="{a.url.rsplit("/", 1)[1]}">{html.escape(a.filename)}</a>'
        for a in files
    )
    page = (
        f'<div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/xxgk/index.html">政府信息公开</a> &gt; '
        f'{html.escape(item.column.name)}</div>\n<div class="zz-xl"><h1>{"<br>".join(html.escape(x) for x in lines)}</h1>\n'
        f'<table class="xxgk-meta"><tr><td>索引号：</td><td>{item.index_no}</td><td>发布日期：{when:%Y-%m-%d}</td></tr>'
        f"<tr><td>发布机构：</td><td>{html.escape(body.name)}</td><td>文号：</td></tr></table>\n"
        f'<div class="zz-xl-info">发布时间：{when:%Y-%m-%d %H:%M}　来源：{html.escape(body.name)}</div>\n'
        f'<div class="zz-xl-ct"><div class="TRS_Editor">{TRS_STYLE}\n{_blocks_html(blocks, images)}\n</div></div>\n'
        f'<div class="zz-xl-ct">附件：<span id="appendix">{appendix}</span></div>\n</div>'
    )
    return _page(f"{title}_{SITE_NAME}", page, head)
