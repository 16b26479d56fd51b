"""Archetype A: a Hanweb jcms county portal modelled on www.wendeng.gov.cn (sites.md §1, §6.2)."""

from __future__ import annotations

import html
import json
import random
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from tests.replica import content
from tests.replica import files as replica_files
from tests.replica.common import (
    LARGE_INSTITUTIONS,
    digits,
    g0_report,
    hex32,
    noise_entries,
    plan_years,
    scale_years,
    spread_dates,
    synthetic_report,
)
from tests.replica.content import Body
from tests.replica.world import (
    ENCODING_TRAPS,
    WENDENG,
    Attachment,
    Report,
    Response,
    World,
    html_response,
    inline_markup,
)
from tests.support.values import seed_tables

SITE = "wendeng"
ROOT = f"http://{WENDENG}"
SITE_NAME = "威海市文登区人民政府"
ZWGK_COLUMN = 79327  # 政务公开: the real id (sites.md §1.1)
PER_PAGE = 15
GROUP = 3 * PER_PAGE  # records inline in the column page
DATAPROXY = "/module/web/jpage/dataproxy.jsp"
ROBOTS = "User-agent: *\nDisallow: /module/xxgk/\nDisallow: /jsearchfront/\n"

#: seed reports published on this site: seed → (town/department short name, year, publish date or None)
SEEDS = {
    "000": ("侯家镇", 2022, None),
    "002": ("综合行政执法局", 2022, datetime(2023, 1, 16, 15, 32, 10)),
    "003": ("泽库镇", 2021, datetime(2022, 1, 18, 10, 5, 43)),
    "004": ("张家产镇", 2023, datetime(2024, 1, 22, 16, 20, 7)),
}
ALWAYS_DEPARTMENTS = ("人民政府办公室", "财政局", "住房和城乡建设局", "综合行政执法局")
ALWAYS_TOWNS = ("侯家镇", "泽库镇", "张家产镇")


@dataclass
class Column:
    id: int
    unit_id: int
    name: str  # as in the left nav
    body: Body | None
    # (published, path, title, link text override) newest first once sorted
    entries: list[tuple[datetime, str, str, str | None]] = field(default_factory=list)
    records: list[str] = field(default_factory=list)  # CDATA <li> markup, newest first

    @property
    def url(self) -> str:
        return f"/col/col{self.id}/index.html"


@dataclass
class Article:
    """One /art/ page to be numbered and rendered: a report copy or a noise item."""

    published: datetime
    column: Column
    title: str
    report: Report | None = None
    kind: str = "canonical"  # canonical / second_column / noise
    blocks: list[content.Block] = field(default_factory=list)
    path: str = ""


# -- building ----------------------------------------------------------------------------------------------


def build(world: World, rng: random.Random, *, encoding_traps: bool = False) -> None:
    bodies = _choose_bodies(rng) + _extra_bodies(world, encoding_traps)
    ids = rng.sample(range(100000, 179999), len(bodies) + 2)
    government, *others = bodies
    columns: dict[str, Column] = {
        body.name: Column(ids[i], rng.randint(200000, 399999), _nav_name(body), body)
        for i, body in enumerate(bodies)
    }
    moved_body = next(b for b in others if b.short == "住房和城乡建设局")
    columns[moved_body.name].id = rng.randint(180000, 189999)  # renumbered in 2025 (sites.md §1.4)
    landing = Column(ids[-1], rng.randint(200000, 399999), "政府信息公开年报", None)
    zwgk = Column(ZWGK_COLUMN, 299353, "政务公开", None)
    old_column = Column(
        rng.randint(70000, 70999), rng.randint(200000, 399999), "住房和城乡建设局（2024年以前）", moved_body
    )

    # the town whose 2023 report names no body (title 「2023年…」, name only in ContentSource)
    anonymous = rng.choice([b for b in others if b.kind == "乡镇街道" and b.short not in ALWAYS_TOWNS])
    articles: list[Article] = []
    for body in bodies:
        moved_from = old_column if body is moved_body else None
        articles += _body_reports(world, rng, body, columns[body.name], moved_from, body is anonymous)
    articles += _double_posting(rng, world, columns[government.name], columns)
    noise_count = (220, 320) if world.scale == "large" else (35, 70)
    for column in [*columns.values(), old_column]:
        articles += _noise(world, rng, column, rng.randint(*noise_count))
    articles += _noise(world, rng, zwgk, 20)
    last_art_id = _number_articles(rng, articles)
    _apply_link_traps(rng, articles)
    if encoding_traps:
        _encoding_traps(world, bodies[-1], columns[bodies[-1].name], articles)
    world.noise += noise_entries(SITE, ROOT, articles)

    all_columns = [*columns.values(), old_column, zwgk]
    world.columns["hanweb"] = {}
    world.columns["hanweb_downloads"] = {}
    nav = [
        columns[government.name],
        *(columns[b.name] for b in others if b.kind == "部门"),
        old_column,
        *(columns[b.name] for b in others if b.kind == "乡镇街道"),
        *(columns[b.name] for b in others if b.kind == "事业单位"),
    ]
    world.columns["hanweb_state"] = {
        "columns": {c.id: c for c in all_columns},
        "nav": nav,
        "landing": landing,
        "art_id": last_art_id,
    }
    for column in all_columns:
        _render_column(world, column)
    world.put_html(ROOT + landing.url, _landing_page(landing, nav))
    world.put_html(ROOT + "/index.html", _home_page(landing))
    world.put(ROOT + "/robots.txt", Response(200, [("Content-Type", "text/plain")], ROBOTS.encode()))
    world.put_html(ROOT + "/jsearchfront/search.do", _search_shell())
    for column_id, name in ((79330, "政府信息公开指南"), (79331, "政府信息公开制度")):
        world.put_html(
            f"{ROOT}/col/col{column_id}/index.html", _page(f"{SITE_NAME} {name}", f"<h1>{name}</h1>")
        )
    for article in articles:
        if article.kind == "noise":
            world.put_lazy(WENDENG, article.path, lambda a=article: _noise_page(a))
    world.renderers[SITE] = render_report
    world.listers[SITE] = relist_report
    world.publishers[SITE] = publish_report
    world.factories[SITE] = lambda rng, body, year: _synthetic_report(rng, body, year, False)
    world.handlers[WENDENG] = handle
    world.columns["hanweb_columns"] = {
        "landing": landing.id,
        "government": columns[government.name].id,
        "moved_old": old_column.id,
        "moved_new": columns[moved_body.name].id,
    }
    replica_files.plan_site(SITE, [r for r in world.reports if r.site == SITE])
    for report in world.reports:
        if report.site == SITE:
            render_report(world, report)


def _choose_bodies(rng: random.Random) -> list[Body]:
    """区政府, 11–15 departments and 6–9 towns; the seeds' and the traps' bodies always."""
    departments = [d for d in content.WENDENG_DEPARTMENTS if d[0] in ALWAYS_DEPARTMENTS]
    rest = [d for d in content.WENDENG_DEPARTMENTS if d[0] not in ALWAYS_DEPARTMENTS]
    departments += rng.sample(rest, rng.randint(7, 11))
    towns = [t for t in content.WENDENG_TOWNS if t[0] in ALWAYS_TOWNS]
    towns += rng.sample([t for t in content.WENDENG_TOWNS if t[0] not in ALWAYS_TOWNS], rng.randint(3, 6))
    order = {name: i for i, (name, _) in enumerate(content.WENDENG_DEPARTMENTS + content.WENDENG_TOWNS)}
    departments.sort(key=lambda d: order[d[0]])
    towns.sort(key=lambda t: order[t[0]])
    code = lambda: content.credit_code(rng, SITE)  # noqa: E731
    return [
        content.government_body(SITE, code()),
        *(content.department_body(SITE, short, slug, code()) for short, slug in departments),
        *(content.town_body(SITE, short, slug, code()) for short, slug in towns),
    ]


def _extra_bodies(world: World, encoding_traps: bool) -> list[Body]:
    """Large scale: the 事业单位; encoding traps: one body whose name needs GBK (always last)."""
    rng = random.Random(f"wendeng:{world.seed}:extra")  # apart from the main stream: default stays as it is
    extra = []
    if world.scale == "large":
        extra += content.institution_bodies(rng, SITE, LARGE_INSTITUTIONS, content.WENDENG_TOWNS)
    if encoding_traps:
        extra.append(content.institution_body(rng, SITE, *content.GBK_ONLY_BODIES[SITE]))
    return extra


def _nav_name(body: Body) -> str:
    if body.kind in ("乡镇街道", "事业单位"):
        return body.short
    return "区政府" if body.kind == "政府" else body.short.replace("人民政府", "区政府")


def _body_reports(
    world: World, rng: random.Random, body: Body, column: Column, old: Column | None, anonymous: bool
) -> list[Article]:
    seeds = {name: spec for name, spec in SEEDS.items() if spec[0] == body.short and body.kind != "事业单位"}
    keep = {spec[1] for spec in seeds.values()} | {2022, 2023}
    plan = plan_years(rng, body, keep, scale_years(world.scale))
    world.missing += [{"site": SITE, "agency": body.name, "year": y} for y in plan.missing]
    anonymous_year = 2023 if anonymous else None
    articles = []
    for year in plan.years:
        seed = next((name for name, spec in seeds.items() if spec[1] == year), None)
        if seed:
            report = _seed_report(rng, body, seed)
        elif year <= 2018:
            report = g0_report(SITE, rng, body, year)
        else:
            report = _synthetic_report(rng, body, year, year == anonymous_year)
        home = old if old is not None and year < 2024 else column
        report.column_url = ROOT + home.url
        world.reports.append(report)
        articles.append(Article(report.published, home, report.title, report))
    return articles


def _seed_report(rng: random.Random, body: Body, seed: str) -> Report:
    _, year, published = SEEDS[seed]
    tables = seed_tables(seed)
    published = published or content.publish_time(rng, year, body)
    report = Report(
        SITE,
        body,
        year,
        published,
        f"{body.name}{year}年政府信息公开工作年度报告",
        content.seed_report(seed, tables, rng),
        tables.generation if tables else "unknown",
        "html" if tables else "image_only",
        tables,
        (body.name, f"{year}年政府信息公开工作年度报告"),
        seed,
    )
    report.notes.append(f"seed {seed}")
    if tables is None:
        report.file_tables = replica_files.seed_file_tables(seed)
    if seed == "002":
        _attach_table_file(report)
    return report


def _synthetic_report(rng: random.Random, body: Body, year: int, anonymous: bool) -> Report:
    report = synthetic_report(SITE, rng, body, year, anonymous=anonymous)
    if anonymous:
        report.notes.append("body only in ContentSource")
    if report.tables is None:
        _attach_table_file(report)
    return report


def _attach_table_file(report: Report) -> None:
    """Image-only tables come with the spreadsheet as a download (「附件：…统计表.xlsx」); the world's
    plan (files.plan_site) may choose another format for it."""
    report.files = replica_files.FileSpec(attachment="xlsx", extension="xlsx")
    report.numbers_from = "xlsx"
    report.notes.append("tables as images + attachment")


def _table_files(report: Report) -> list[Attachment]:
    """The downloads a report links to: its statistics file, and a hostile file if it has one."""
    spec = replica_files.spec_of(report)
    found = []
    if spec.attachment:
        stem = f"{report.body.short}{report.year}年政府信息公开工作年度报告统计表"
        real_extension = replica_files.extension_of(spec.attachment)
        name = f"{stem}.{spec.extension or real_extension}"
        key = hex32(f"{report.body.name}/{report.year}/xls")
        filename = f"{key}.{spec.extension}" if spec.extension else key
        showname = f"showname={quote(name)}&" if spec.extension else ""
        url = f"{ROOT}/module/download/downfile.jsp?classid=0&{showname}filename={filename}"
        content_type = replica_files.CONTENT_TYPES.get(spec.extension.lower(), "application/octet-stream")
        attachment = replica_files.attachment(url, name, report, fmt=spec.attachment, content_type=content_type)
        attachment.link_text = name if spec.extension else stem
        found.append(attachment)
    if spec.hostile:
        extension = dict(replica_files.HOSTILE[SITE])[spec.hostile]
        url = f"{ROOT}/attach/0/{hex32(f'{report.url}/{spec.hostile}')}.{extension}"
        name = f"{report.body.short}{report.year}年政府信息公开工作年度报告.{extension}"
        found.append(replica_files.attachment(url, name, report, hostile=spec.hostile,
                                              content_type=replica_files.CONTENT_TYPES[extension]))  # fmt: skip
    return found


def _double_posting(
    rng: random.Random, world: World, government: Column, columns: dict[str, Column]
) -> list[Article]:
    """The 区政府办公室 2022 report, posted again in the 区政府 column (new artId, same content)."""
    office = next(
        r for r in world.reports if r.site == SITE and r.body.short == "人民政府办公室" and r.year == 2022
    )
    office.notes.append("double posting in the 区政府 column")
    later = office.published.replace(hour=min(office.published.hour + 1, 23))
    return [Article(later, government, office.title, office, "second_column")]


def _noise(world: World, rng: random.Random, column: Column, count: int) -> list[Article]:
    body = column.body or content.government_body(SITE, "")
    dates = spread_dates(rng, count, datetime(2019, 1, 2, 8), datetime(2025, 12, 30, 18))
    articles = []
    for i, when in enumerate(dates):
        title = content.noise_title(rng, body, when.year - 1, near_miss=(i == 0 and column.id % 5 == 0))
        articles.append(Article(when, column, title, kind="noise", blocks=content.noise_blocks(rng, title)))
    return articles


def _number_articles(rng: random.Random, articles: list[Article]) -> int:
    """artIds rise with the publish date across the whole site, as Hanweb's do; returns the last one."""
    art_id = rng.randint(2200000, 2300000)
    for article in sorted(articles, key=lambda a: (a.published, a.column.id, a.title)):
        art_id += rng.randint(1, 900)
        day = article.published
        article.path = f"/art/{day.year}/{day.month}/{day.day}/art_{article.column.id}_{art_id}.html"
        url = ROOT + article.path
        if article.report is None:
            article.column.entries.append((day, article.path, article.title, None))
        elif article.kind == "canonical":
            article.report.url = url
            article.column.entries.append((day, article.path, article.title, None))
        else:
            article.report.duplicates.append({"url": url, "kind": article.kind})
            article.column.entries.append((day, article.path, article.title, None))
    return art_id


def _apply_link_traps(rng: random.Random, articles: list[Article]) -> None:
    """One record with a stray <br/> in its link text, one with an absolute href."""
    reports = sorted((a for a in articles if a.report and a.kind == "canonical"), key=lambda a: a.path)
    stray, absolute = rng.sample(reports, 2)
    for article, change in ((stray, "br"), (absolute, "abs")):
        entries = article.column.entries
        index = next(i for i, e in enumerate(entries) if e[1] == article.path)
        when, path, title, _ = entries[index]
        if change == "br":
            entries[index] = (
                when,
                path,
                title,
                _truncate(title).replace("政府信息公开", "<br/>政府信息公开", 1),
            )
            article.report.notes.append("list record with a stray <br/>")
        else:
            entries[index] = (when, ROOT + path, title, None)
            article.report.notes.append("list record with an absolute href")


# -- markup ---------------------------------------------------------------------------------------------------


def _truncate(title: str, width: int = 24) -> str:
    return title if len(title) <= width else title[: width - 1] + "…"


def _record(href: str, title: str, text: str | None, when: datetime) -> str:
    shown = text if text is not None else html.escape(_truncate(title))
    return (
        f'<li><a href="{href}" title="{html.escape(title)}" target="_blank">{shown}</a>'
        f"<span>{when:%Y-%m-%d}</span></li>"
    )


def _page(title: str, body: str, head: str = "") -> str:
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">\n'
        f"<title>{html.escape(title)}</title>\n{head}</head>\n<body>\n"
        '<div class="header"><a href="/index.html">首页</a> <a href="/col/col79327/index.html">政务公开</a> '
        '<a href="http://www.weihai.gov.cn/">威海市人民政府</a></div>\n'
        f'{body}\n<div class="footer">主办：威海市文登区人民政府办公室 网站标识码：3710810005</div>\n</body>\n</html>\n'
    )


def _left_nav(nav: list[Column], landing: Column) -> str:
    items = "".join(
        f'<li><a href="{c.url}" title="{html.escape(c.name)}">{html.escape(c.name)}</a></li>' for c in nav
    )
    return (
        f'<div class="left_nav"><h3><a href="{landing.url}">政府信息公开年报</a></h3><ul>{items}</ul></div>'
    )


def _home_page(landing: Column) -> str:
    body = (
        '<div class="nav"><ul><li><a href="/index.html">首页</a></li>'
        f'<li><a href="/col/col{ZWGK_COLUMN}/index.html">政务公开</a></li>'
        '<li><a href="/jsearchfront/search.do?websiteid=371081000500000&q=&p=1&pg=20&cateid=1141&tpl=1361">搜索</a></li>'
        '<li><a href="http://www.weihai.gov.cn/">威海市</a></li></ul></div>'
        '<div class="news"><p>欢迎访问威海市文登区人民政府门户网站</p></div>'
    )
    return _page(SITE_NAME, body)


def _landing_page(landing: Column, nav: list[Column]) -> str:
    crumbs = f'<div class="crumbs"><a href="/index.html">首页</a> &gt; <a href="/col/col{ZWGK_COLUMN}/index.html">政务公开</a> &gt; 政府信息公开年报</div>'
    return _page(
        f"{SITE_NAME} 政府信息公开年报",
        crumbs
        + _left_nav(nav, landing)
        + '<div class="main"><p>请选择左侧栏目查看各单位政府信息公开工作年度报告。</p></div>',
    )


def _datastore(column: Column, records: list[str], page: int = 1) -> str:
    rows = "\n".join(f"<record><![CDATA[{r}]]></record>" for r in records)
    return (
        f'<datastore>\n<nextgroup><![CDATA[<a href="{DATAPROXY}?page={page}&webid=1&path=/&columnid={column.id}'
        f'&unitid={column.unit_id}&permissiontype=0"></a>]]></nextgroup>\n<recordset>\n{rows}\n</recordset>\n</datastore>'
    )


def _render_column(world: World, column: Column) -> None:
    """(Re-)render a column's records, its page and the data proxy's view of it: newest first."""
    column.entries.sort(key=lambda e: (e[0], e[1]), reverse=True)
    column.records = [_record(path, title, text, when) for when, path, title, text in column.entries]
    state = world.columns["hanweb_state"]
    newest = column.entries[0][0] if column.entries else None
    world.put_html(ROOT + column.url, _column_page(column, state["nav"], state["landing"]), newest)
    world.columns["hanweb"][column.id] = {
        "unit_id": column.unit_id,
        "records": column.records,
        "name": column.name,
        "modified": world.pages[(WENDENG, column.url)].modified,
    }


def _column_page(column: Column, nav: list[Column], landing: Column, records: list[str] | None = None) -> str:
    shown = column.records[:GROUP] if records is None else records
    jpage = (
        f"<script>$('#{column.unit_id}').jpage({{ proxyUrl:'{DATAPROXY}', perPage:{PER_PAGE}, "
        f"totalRecord:{len(column.records)}, groupSize:3, barPosition:'bottom', ajaxParam:{{col:1,appid:1,webid:1,"
        f"path:'/',columnid:{column.id},sourceContentType:1,unitid:'{column.unit_id}',webname:'{SITE_NAME}',"
        "permissiontype:0} });</script>"
    )
    zwgk_nav = (
        '<div class="left_nav"><ul><li><a href="/col/col79330/index.html">政府信息公开指南</a></li>'
        '<li><a href="/col/col79331/index.html">政府信息公开制度</a></li>'
        f'<li><a href="{landing.url}">政府信息公开年报</a></li></ul></div>'
    )
    crumbs = (
        f'<div class="crumbs"><a href="/index.html">首页</a> &gt; <a href="/col/col{ZWGK_COLUMN}/index.html">'
        f"政务公开</a> &gt; {html.escape(column.name)}</div>"
    )
    body = (
        crumbs
        + (zwgk_nav if column.id == ZWGK_COLUMN else _left_nav(nav, landing))
        + f'<div class="rsx_cont"><div id="{column.unit_id}"><script type="text/xml">{_datastore(column, shown)}'
        f"</script></div></div>\n{jpage}"
    )
    head = f'<meta name="ColumnName" content="{html.escape(column.name)}">\n<meta name="ColumnType" content="政府信息公开年报">\n'
    return _page(f"{SITE_NAME} {column.name}", body, head)


def _blocks_html(blocks: list[content.Block], images: list[Attachment]) -> str:
    out, pictures = [], iter(images)
    for kind, value in blocks:
        if kind == "p":
            out.append(f"<p>{inline_markup(value)}</p>")
        elif kind == "h":
            out.append(f"<p><strong>{html.escape(value)}</strong></p>")
        elif kind == "html":
            out.append(value)
        else:
            image = next(pictures)
            out.append(
                f'<p style="text-align:center"><img src="{image.url.removeprefix(ROOT)}" alt="{html.escape(value)}"></p>'
            )
    for image in pictures:  # pictures beyond the blocks' (a hostile one) close the body
        out.append(f'<p style="text-align:center"><img src="{image.url.removeprefix(ROOT)}"></p>')
    return "\n".join(out)


def _article_page(
    title: str,
    when: datetime,
    column_name: str,
    body: Body | None,
    blocks: list[content.Block],
    url: str,
    images: list[Attachment] = (),
    files: list[Attachment] = (),
    lines: tuple[str, ...] = (),
    source: str = "",
) -> str:
    source = source or (body.name if body else SITE_NAME)
    meta = {
        "SiteName": SITE_NAME,
        "SiteDomain": WENDENG,
        "SiteIDCode": "3710810005",
        "ColumnName": column_name,
        "ColumnType": "政府信息公开年报",
        "ArticleTitle": title,
        "PubDate": f"{when:%Y-%m-%d %H:%M}",
        "ContentSource": source,
        "keywords": "政府信息公开,年度报告",
        "description": title,
        "Maketime": f"{when:%Y-%m-%d %H:%M:%S}",
        "url": url,
    }
    head = "".join(f'<meta name="{k}" content="{html.escape(v)}">\n' for k, v in meta.items())
    heading = "<br/>".join(html.escape(line) for line in (lines or (title,)))
    attachments = "".join(
        f'<p>附件：<a href="{a.url.removeprefix(ROOT)}">{html.escape(a.link_text or a.filename)}</a></p>'
        for a in files
    )
    body_html = (
        '<table class="main" width="100%"><tr><td class="bt_content">\n'
        f'<div class="art_tit">{heading}</div>\n'
        f'<div class="art_info">发布日期：{when:%Y-%m-%d %H:%M:%S}　信息来源：<!--<$[信息来源]>begin-->'
        f'{html.escape(source)}<!--<$[信息来源]>end-->　点击次数：<span id="hits"></span>'
        f'<script src="/module/visitcount/articlehits.jsp?artid={url.rsplit("_", 1)[-1][:-5]}"></script></div>\n'
        '<div class="art_con" id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">\n'
        f"{_blocks_html(blocks, list(images))}\n{attachments}\n"
        '<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>\n</td></tr></table>'
    )
    return _page(f"{SITE_NAME} {column_name} {title}", body_html, head)


def _search_shell() -> str:
    script = (
        '<script src="/jsearchfront/static/js/jsearch.js"></script>'
        "<script>jsearch.init({url:'/jsearchfront/interfaces/cateSearch.do'});</script>"
    )
    return _page("智能检索", f'<div id="jcse-result"></div>{script}')


def _noise_page(article: Article) -> Response:
    page = _article_page(
        article.title,
        article.published,
        article.column.name,
        article.column.body,
        article.blocks,
        ROOT + article.path,
    )
    return html_response(page, modified=article.published)


def _encoding_traps(world: World, body: Body, column: Column, articles: list[Article]) -> None:
    """The GBK-named body's column page and reports served as GBK, each under one misleading label."""
    world.charsets[(WENDENG, column.url)] = "no_charset_header"
    traps = sorted(ENCODING_TRAPS)
    mine = sorted((a for a in articles if a.report and a.report.body == body), key=lambda a: a.report.year)
    for index, article in enumerate(mine):
        trap = traps[index % len(traps)]
        world.charsets[(WENDENG, article.path)] = trap
        article.report.encoding = {"charset": "gbk", "trap": trap}
        article.report.notes.append(f"served as GBK ({trap})")


# -- reports (re-rendered on edit) -------------------------------------------------------------------------------


def render_report(world: World, report: Report) -> None:
    images = _images(report)
    files = _table_files(report)
    report.attachments = [*files, *images]
    for attachment in files:
        if "downfile.jsp" in attachment.url:
            world.columns["hanweb_downloads"][attachment.url.rsplit("filename=", 1)[1]] = attachment
        else:
            _serve_lazily(world, attachment, report.published)
    for image in images:
        _serve_lazily(world, image, report.published)
    columns = world.columns["hanweb"]
    for url in (report.url, *(d["url"] for d in report.duplicates if d["kind"] == "second_column")):
        column_id = int(url.rsplit("/", 1)[1].split("_")[1])
        page = _article_page(
            report.title,
            report.published,
            columns[column_id]["name"],
            report.body,
            report.blocks,
            url,
            images,
            files,
            report.title_lines,
            report.content_source or report.body.name,
        )
        world.put_html(url, page, report.modified or report.published)
    alias = f"{ROOT}/module/xxgk/xxgkAnnualReport.jsp?area={report.body.code}&fbtime={report.year}"
    if not report.superseded_by and all(d["url"] != alias for d in report.duplicates):
        report.duplicates.append({"url": alias, "kind": "alias"})


def _column_id(url: str) -> int:
    """The column of a column URL (/col/colN/) or an article URL (art_N_…)."""
    match = re.search(r"/col/col(\d+)/|/art_(\d+)_", url)
    return int(match.group(1) or match.group(2))


def publish_report(world: World, report: Report) -> None:
    """Number a new report (next artId, URL of its publish date), list it first in its column, render it."""
    state = world.columns["hanweb_state"]
    column = state["columns"][_column_id(report.column_url)]
    state["art_id"] += random.Random(f"{report.title}/{report.published}").randint(1, 900)
    day = report.published
    path = f"/art/{day.year}/{day.month}/{day.day}/art_{column.id}_{state['art_id']}.html"
    report.url = ROOT + path
    column.entries.append((day, path, report.title, None))
    _render_column(world, column)
    render_report(world, report)


def relist_report(world: World, old: Report, new: Report) -> None:
    """After an edit: the report's list records show its new title and date."""
    if (old.title, old.published) == (new.title, new.published):
        return
    state = world.columns["hanweb_state"]
    for url in (new.url, *(d["url"] for d in new.duplicates if d["kind"] == "second_column")):
        column = state["columns"][_column_id(url)]
        path = url.removeprefix(ROOT)
        for index, (_, href, title, text) in enumerate(column.entries):
            if href in (path, url):  # the absolute-href trap keeps its absolute href
                column.entries[index] = (new.published, href, new.title, text if title == new.title else None)
        _render_column(world, column)


def _serve_lazily(world: World, attachment: Attachment, published: datetime) -> None:
    def answer(a: Attachment = attachment) -> Response:
        return Response(200, [("Content-Type", a.content_type)], a.content(), published)

    world.put_lazy(WENDENG, attachment.url.removeprefix(ROOT), answer)


def _images(report: Report) -> list[Attachment]:
    """The table pictures of an image-only report (JPEG, as Hanweb's /picture/ folder holds them)."""
    stamp = report.published.strftime("%Y%m%d%H%M%S")
    images = [
        replica_files.attachment(
            f"{ROOT}/picture/0/{int(stamp) + i * 7 + int(digits(report.title, 2))}.jpg",
            f"{stamp}.jpg",
            report,
            kind="image",
            fmt="jpg",
            image=section,
        )
        for i, section in enumerate(replica_files.image_sections(report.blocks))
    ]
    if replica_files.spec_of(report).png_bomb:
        bomb = replica_files.attachment(f"{ROOT}/picture/0/{stamp}999.png", f"{stamp}999.png", report,
                                        kind="image", hostile="png-bomb", content_type="image/png")  # fmt: skip
        images.append(bomb)
    return images


def _alias_page(report: Report | None) -> str:
    if report is None:
        return _page("政府信息公开年报", '<div class="xxgk_nb"><p class="nodata">暂无数据</p></div>')
    body = (
        f'<div class="xxgk_nb"><h1>{html.escape(report.title)}</h1>'
        f'<div class="fbsj">发布时间:{report.published:%Y-%m-%d %H:%M:%S}</div>'
        f'<div class="nb_con">{_blocks_html(report.blocks, [a for a in report.attachments if a.kind == "image"])}</div></div>'
    )
    return _page(report.title, body)


# -- parameterised endpoints ----------------------------------------------------------------------------------


def handle(
    world: World, method: str, path: str, query: dict[str, list[str]], form: dict[str, list[str]]
) -> Response | None:
    if path == DATAPROXY:
        return _dataproxy(world, method, {**form, **query})
    if path == "/module/xxgk/xxgkAnnualReport.jsp":
        area, year = _first(query, "area"), _first(query, "fbtime")
        match = next(
            (
                r
                for r in world.current_reports()
                if r.site == SITE and r.body.code == area and str(r.year) == year
            ),
            None,
        )
        return html_response(_alias_page(match), modified=match and (match.modified or match.published))
    if path == "/module/download/downfile.jsp":
        attachment = world.columns["hanweb_downloads"].get(_first(query, "filename"))
        if attachment is None:
            return None
        disposition = f"attachment; filename*=UTF-8''{quote(attachment.filename)}"
        return Response(
            200,
            [("Content-Type", attachment.content_type), ("Content-Disposition", disposition)],
            attachment.content(),
        )
    if path == "/jsearchfront/interfaces/cateSearch.do" and method == "POST":
        return _search_results(world, _first(form, "q"))
    if path.startswith("/col/col") and path.endswith("/index.html") and query:
        return _paged_column(world, path, query)
    return None


def _first(params: dict[str, list[str]], key: str) -> str:
    return (params.get(key) or [""])[0]


def _int(params: dict[str, list[str]], key: str, default: int) -> int:
    value = _first(params, key)
    return int(value) if value.isdigit() else default


def _dataproxy(world: World, method: str, params: dict[str, list[str]]) -> Response:
    column_id, unit_id = _first(params, "columnid"), _first(params, "unitid").strip("'")
    column = world.columns["hanweb"].get(int(column_id)) if column_id.isdigit() else None
    records: list[str] = []
    total = 0
    per_page = max(1, _int(params, "perpage", PER_PAGE))
    if column is not None and str(column["unit_id"]) == unit_id:
        total = len(column["records"])
        if method == "POST":
            start, end = _int(params, "startrecord", 1), _int(params, "endrecord", GROUP)
            records = column["records"][max(start, 1) - 1 : max(end, 0)]
        else:
            page = max(1, _int(params, "page", 1))
            records = column["records"][(page - 1) * per_page : page * per_page]
    pages = -(-total // per_page)
    rows = "\n".join(f"<record><![CDATA[{r}]]></record>" for r in records)
    recordset = f"<recordset>\n{rows}\n</recordset>" if records else "<recordset/>"
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore>\n<nextgroup><![CDATA[]]></nextgroup>\n'
        f"<totalrecord>{total}</totalrecord>\n<totalpage>{pages}</totalpage>\n{recordset}\n</datastore>\n"
    )
    modified = column["modified"] if column is not None else None
    return Response(200, [("Content-Type", "text/xml;charset=UTF-8")], xml.encode("utf-8"), modified)


def _paged_column(world: World, path: str, query: dict[str, list[str]]) -> Response | None:
    """``?uid=…&pageNum=N``: page 1 regardless (the trap), unless the world is "modern Hanweb"."""
    page = world.pages.get((WENDENG, path))
    if page is None or not world.modern_hanweb or "pageNum" not in query or (WENDENG, path) in world.charsets:
        return page  # (a GBK-trapped column is not re-paged: its bytes are not UTF-8)
    column_id = int(path.split("/")[2].removeprefix("col"))
    column = world.columns["hanweb"].get(column_id)
    number = max(1, _int(query, "pageNum", 1))
    records = column["records"][(number - 1) * PER_PAGE : number * PER_PAGE]
    marker_start, marker_end = "<recordset>\n", "\n</recordset>"
    text = page.body.decode("utf-8")
    head, rest = text.split(marker_start, 1)
    _, tail = rest.split(marker_end, 1)
    rows = "\n".join(f"<record><![CDATA[{r}]]></record>" for r in records)
    return html_response(head + marker_start + rows + marker_end + tail, modified=page.modified)


def _search_results(world: World, query: str) -> Response:
    hits = [r for r in world.reports if r.site == SITE and query and query in r.title][:20]
    blocks = "".join(
        f'<div class="jcse-news-title"><a href="{r.url}">{html.escape(r.title)}</a></div><div class="jcse-news-url">{r.url}</div>'
        for r in hits
    )
    foreign = (
        '<div class="jcse-news-title"><a href="http://www.weihai.gov.cn/art/2024/1/20/art_168496_1.html">'
        '威海市政府信息公开工作年度报告</a></div><div class="jcse-news-url">http://www.weihai.gov.cn/art/2024/1/20/art_168496_1.html</div>'
    )
    payload: dict[str, Any] = {"result": blocks + foreign, "total": len(hits) + 1}
    return Response(
        200,
        [("Content-Type", "application/json;charset=UTF-8")],
        json.dumps(payload, ensure_ascii=False).encode(),
    )
