"""A TRS county portal with ``index_N.html`` lists and ``.shtml`` articles (sites.md §3: 交口, mva.gov.cn),
at ``www.jiaokou.gov.cn`` (交口县).

政务公开 ``/zwgk/`` → 政府信息公开 ``/zwgk/zfxxgk/`` → 政府信息公开年报 ``/zwgk/zfxxgk/xxgknb/`` → 县政府 column and
the 县直部门 / 乡镇 directories; a column lists ``index.html``, ``index_1.html`` … (``createPageHTML(countPage,
cur, "index", "html")``; past the last page: 404); articles ``{column}{YYYYMM}/t{YYYYMMDD}_{docId}.shtml``
with TRS meta (ArticleTitle, PubDate, ContentSource) and a ``trs_editor_view`` body.
"""

from __future__ import annotations

import html
import random

from tests.replica import files as replica_files
from tests.replica.common import digits
from tests.replica.content import Body
from tests.replica.county import Column, Item, Style
from tests.replica.world import Attachment, Report, Response, World, inline_markup

HOST = "www.jiaokou.gov.cn"
NIANBAO = "/zwgk/zfxxgk/xxgknb/"
DIRECTORIES = {"部门": ("bm/", "县直部门"), "乡镇街道": ("xz/", "乡镇")}
DEPARTMENTS = [
    ("人民政府办公室", "zfb"), ("发展和改革局", "fgj"), ("教育科技局", "jkj"), ("财政局", "czj"), ("民政局", "mzj"),
    ("自然资源局", "zrzyj"), ("住房和城乡建设管理局", "zjj"), ("卫生健康和体育局", "wtj"), ("应急管理局", "yjj"),
]  # fmt: skip
TOWNS = [("水头镇", "stz"), ("康城镇", "kcz"), ("双池镇", "scz"), ("桃红坡镇", "thpz"), ("石口乡", "skx"),
         ("回龙乡", "hlx"), ("温泉乡", "wqx")]  # fmt: skip


class Shtml(Style):
    site = "jiaokou"
    host = HOST
    name = "交口县人民政府"
    departments = DEPARTMENTS
    towns = TOWNS
    per_page = (5, 7)
    noise = (8, 14)

    def __init__(self) -> None:
        super().__init__()
        self.made = 0

    def columns(
        self, rng: random.Random, government: Body, departments: list[Body], towns: list[Body]
    ) -> None:
        self.column_map[government.name] = Column(
            government.name, "县政府", f"{NIANBAO}xzf/", "政府", government
        )
        for body in (*departments, *towns):
            sub = DIRECTORIES[body.kind][0]
            self.column_map[body.name] = Column(
                body.name, body.short, f"{NIANBAO}{sub}{body.slug}/", body.kind, body
            )

    def column_of(self, report: Report) -> Column:
        return self.column_map[report.body.name]

    def prepare(self, rng: random.Random, report: Report) -> None:
        index, self.made = self.made, self.made + 1
        report.files = {"xlsx": True} if index % 6 == 4 else {}
        if report.files:
            report.notes.append("xlsx attachment")

    def number(self, rng: random.Random, items: list[Item]) -> None:
        serial = max([0, *(i.serial for c in self.column_map.values() for i in c.items)]) or rng.randint(
            1500000, 1700000
        )
        for item in sorted(items, key=lambda i: (i.published, i.column.key, i.title)):
            serial += rng.randint(1, 2000)
            day = item.published
            item.serial = serial
            item.path = f"{item.column.path}{day:%Y%m}/t{day:%Y%m%d}_{serial}.shtml"

    def list_path(self, column: Column, number: int) -> str:
        return f"{column.path}index{f'_{number}' if number else ''}.html"

    def list_html(self, column: Column, items: list[Item], number: int, pages: int) -> str:
        entries = "".join(
            f'<li><a href="./{i.path.removeprefix(column.path)}" title="{html.escape(i.title)}" target="_blank">'
            f"{html.escape(i.title)}</a><span>{i.published:%Y-%m-%d}</span></li>\n"
            for i in items
        )
        script = (
            f'<script>var countPage = {pages};createPageHTML(countPage, {number}, "index", "html");</script>'
        )
        body = (
            f'<div class="position">您的位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; '
            f'<a href="{NIANBAO}">政府信息公开年报</a> &gt; {html.escape(column.name)}</div>\n'
            f'<div class="overview_right"><ul>\n{entries}</ul></div>\n<div class="page">{script}</div>'
        )
        return self._page(column.name, body)

    def files(self, item: Item) -> list[Attachment]:
        report = item.report
        if not report.files:
            return []
        base = self.root + item.path.rsplit("/", 1)[0] + "/"
        stamp = report.published.strftime("%Y%m%d%H%M%S")
        url = f"{base}P020{stamp}{digits(report.body.name + str(report.year), 6)}.xlsx"
        name = f"{report.body.short}{report.year}年政府信息公开工作统计表.xlsx"
        return [replica_files.attachment(url, name, report, fmt="xlsx")]

    def article_html(self, item: Item) -> str:
        report = item.report
        title = item.title  # a re-post carries its own title
        body = report.body if report else item.column.body
        blocks = report.blocks if report else item.blocks
        when = item.published
        text = "\n".join(
            f'<p style="text-indent:2em">{inline_markup(v)}</p>' if kind in ("p", "h") else v
            for kind, v in blocks
            if kind != "img"
        )
        files = "".join(
            f'<a href="./{a.url.rsplit("/", 1)[1]}">{html.escape(a.filename)}</a>' for a in item.files
        )
        meta = {"ArticleTitle": title, "PubDate": f"{when:%Y-%m-%d %H:%M}", "ContentSource": body.name,
                "ColumnName": item.column.name}  # fmt: skip
        head = "".join(f'<meta name="{k}" content="{html.escape(v)}">\n' for k, v in meta.items())
        page = (
            f'<div class="article"><h2>{html.escape(title)}</h2>\n'
            f'<div class="property">来源：{html.escape(body.name)}　时间：{when:%Y-%m-%d %H:%M}</div>\n'
            f'<div class="trs_editor_view TRS_UEDITOR">{text}</div>\n'
            + (f'<div class="fj">附件：{files}</div>\n' if files else "")
            + "</div>"
        )
        return self._page(title, page, head)

    def _page(self, title: str, body: str, head: str = "") -> str:
        return (
            '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}-{self.name}</title>\n{head}</head>\n<body>\n"
            f'<div class="header"><a href="/">{self.name}</a> <a href="/zwgk/">政务公开</a> <a href="/xwdt/">新闻动态</a></div>\n'
            f'{body}\n<div class="footer">主办：{self.name}办公室</div>\n</body>\n</html>\n'
        )

    def navigation(self, world: World) -> None:
        put = lambda path, title, body: world.put_html(self.root + path, self._page(title, body))  # noqa: E731
        put(
            "/index.html",
            self.name,
            '<div class="nav"><a href="/zwgk/">政务公开</a> <a href="/xwdt/">新闻动态</a></div>',
        )
        put("/xwdt/index.html", "新闻动态", "<h2>新闻动态</h2>")
        put("/zwgk/index.html", "政务公开",
            '<ul><li><a href="/zwgk/zfxxgk/">政府信息公开</a></li><li><a href="/zwgk/zcjd/">政策解读</a></li></ul>')  # fmt: skip
        put("/zwgk/zcjd/index.html", "政策解读", "<h2>政策解读</h2>")
        put("/zwgk/zfxxgk/index.html", "政府信息公开",
            '<ul><li><a href="./zfxxgkzn/">政府信息公开指南</a></li><li><a href="./xxgknb/">政府信息公开年报</a></li></ul>')  # fmt: skip
        put("/zwgk/zfxxgk/zfxxgkzn/index.html", "政府信息公开指南", "<h2>政府信息公开指南</h2>")
        columns = list(self.column_map.values())
        tabs = '<li><a href="./xzf/">县政府</a></li>' + "".join(
            f'<li><a href="./{sub}">{name}</a></li>' for sub, name in DIRECTORIES.values()
        )
        put(f"{NIANBAO}index.html", "政府信息公开年报", f'<ul class="tabs">{tabs}</ul>')
        for group, (sub, name) in DIRECTORIES.items():
            links = "".join(
                f'<li><a href="./{c.path.removeprefix(NIANBAO + sub)}">{c.name}</a></li>'
                for c in columns
                if c.group == group
            )
            put(f"{NIANBAO}{sub}index.html", name, f'<ul class="units">{links}</ul>')
        world.put(
            self.root + "/robots.txt",
            Response(200, [("Content-Type", "text/plain")], b"User-agent: *\nDisallow:\n"),
        )
