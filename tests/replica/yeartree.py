"""Archetype C: an attachments-only year/unit tree, newer Hanweb style (sites.md §3, §6.4), at
``www.bypc.gov.cn`` (白银市平川区).

Reports sit in year folders ``/zfxxgk/zfxxgknb/{Y}n/`` (not always the report's year), split by unit
type (``xzf`` / ``bmdw`` / ``xzjd``), listed on numbered pages ``1.html, 2.html, …`` with 「下一页」 and
「尾页」; an article is a short notice 「…详见附件。」 and the report is only its attachment: .docx, .pdf,
.wps (some with an upper-case extension, one with none, a scanned picture as the only file).
"""

from __future__ import annotations

import html
import random
from datetime import datetime
from urllib.parse import quote

from tests.replica import files as replica_files
from tests.replica.common import digits, hex32
from tests.replica.content import Body
from tests.replica.county import Column, Item, Style
from tests.replica.world import Attachment, Report, Response, World

HOST = "www.bypc.gov.cn"
NIANBAO = "/zfxxgk/zfxxgknb/"
TYPES = {"政府": ("xzf", "区政府"), "部门": ("bmdw", "部门单位"), "乡镇街道": ("xzjd", "乡镇街道")}
#: the report's own file, in turn; then the extra files some reports post beside it
FORMATS = ("docx", "pdf", "docx", "wps", "docx", "docx", "pdf", "docx")
DEPARTMENTS = [
    ("人民政府办公室", "bgs"), ("发展和改革局", "fgj"), ("教育局", "jyj"), ("财政局", "czj"), ("民政局", "mzj"),
    ("自然资源局", "zrzyj"), ("住房和城乡建设局", "zjj"), ("卫生健康局", "wjj"), ("审计局", "sjj"),
]  # fmt: skip
TOWNS = [
    ("长征街道", "czjd"), ("电力路街道", "dlljd"), ("红会路街道", "hhljd"), ("兴平路街道", "xpljd"),
    ("宝积镇", "bjz"), ("黄峤镇", "hqz"), ("种田镇", "ztz"), ("共和镇", "ghz"), ("水泉镇", "sqz"), ("复兴乡", "fxx"),
]  # fmt: skip


class YearTree(Style):
    site = "bypc"
    host = HOST
    name = "白银市平川区人民政府"
    departments = DEPARTMENTS
    towns = TOWNS
    per_page = (4, 6)
    noise = (9, 14)

    def __init__(self) -> None:
        super().__init__()
        self.folders: dict[tuple[str, int], int] = {}
        self.made = 0  # reports prepared so far: picks each one's files in turn

    def columns(
        self, rng: random.Random, government: Body, departments: list[Body], towns: list[Body]
    ) -> None:
        pass  # folders appear as reports are filed in them

    def _folder(self, year: int, kind: str) -> Column:
        slug, name = TYPES[kind]
        key = f"{year}n/{slug}"
        if key not in self.column_map:
            self.column_map[key] = Column(key, name, f"{NIANBAO}{year}n/{slug}/", kind)
        return self.column_map[key]

    def column_of(self, report: Report) -> Column:
        return self._folder(self.folders[(report.body.name, report.year)], report.body.kind)

    def prepare(self, rng: random.Random, report: Report) -> None:
        index, self.made = self.made, self.made + 1
        folder = report.year - 1 if index % 5 == 2 else report.year  # 「2025年…」 under 2024n/
        self.folders[(report.body.name, report.year)] = folder
        if folder != report.year:
            report.notes.append(f"filed under {folder}n/ (folder ≠ report year)")
        numbers, report.tables = report.tables, None
        report.file_tables, report.table_render = numbers, "attachment_only"
        report.generation = numbers.generation
        fmt = "jpg" if index == 6 else FORMATS[index % len(FORMATS)]
        extension = fmt.upper() if index == 1 else "" if index == 4 else fmt
        extras = ["pdf"] if index % 7 == 3 else ["et"] if index % 9 == 5 else []
        report.files = {"main": fmt, "extension": extension, "extras": extras, "broken": index == 9}
        report.numbers_from = "ocr" if fmt == "jpg" else fmt
        report.notes.append("report only as an attachment" + (" (a scanned picture)" if fmt == "jpg" else ""))
        if extension != fmt:
            report.notes.append(f"attachment linked as {'.' + extension if extension else 'no extension'}")
        if index == 9:
            report.notes.append("one attachment link answers 404")
        if index == 10:  # the title without the body's name: only 发布机构 / 信息来源 say it
            report.title = f"{report.year}年政府信息公开工作年度报告"
            report.title_lines = (report.title,)
            report.notes.append("title without the body's name")
        report.blocks = [("p", f"现将《{report.title}》予以公开，详见附件。")]

    def number(self, rng: random.Random, items: list[Item]) -> None:
        for item in sorted(items, key=lambda i: (i.published, i.column.key, i.title)):
            item.path = f"{item.column.path}art/{item.published.year}/art_{hex32(f'{item.column.key}/{item.title}/{item.published}')}.html"

    def list_path(self, column: Column, number: int) -> str:
        return f"{column.path}{number + 1}.html"

    def list_html(self, column: Column, items: list[Item], number: int, pages: int) -> str:
        entries = "".join(
            f'<li><a href=".{i.path.removeprefix(column.path.rstrip("/"))}" title="{html.escape(i.title)}">'
            f'{html.escape(i.title)}</a><span class="date">{i.published:%Y-%m-%d}</span></li>\n'
            for i in items
        )
        links = ['<a href="1.html">首页</a>']
        if number > 0:
            links.append(f'<a href="{number}.html">上一页</a>')
        if number + 1 < pages:
            links.append(f'<a href="{number + 2}.html">下一页</a>')
        links.append(f'<a href="{pages}.html">尾页</a>')
        year = column.path.removeprefix(NIANBAO).split("/")[0]
        crumbs = f'<a href="/">首页</a> &gt; <a href="{NIANBAO}">政府信息公开年报</a> &gt; <a href="../">{year}</a> &gt; {column.name}'
        body = (
            f'<div class="crumbs">{crumbs}</div>\n<div class="list"><ul>\n{entries}</ul></div>\n'
            f'<div class="page">{"".join(links)}<span>共{pages}页</span></div>'
        )
        return self._page(f"{column.name}_{year}", body)

    def files(self, item: Item) -> list[Attachment]:
        report = item.report
        spec = report.files
        made = [self._file(report, 0, spec["main"], spec["extension"])]
        made += [self._file(report, n + 1, fmt, fmt) for n, fmt in enumerate(spec["extras"])]
        if spec["broken"]:
            broken = Attachment(self._file_url(report, 9, "docx"), f"{report.body.short}附件说明.docx",
                                replica_files.CONTENT_TYPES["docx"], "attachment", format="broken-404")  # fmt: skip
            made.append(broken)
        return made

    def _file_url(self, report: Report, n: int, extension: str) -> str:
        key = f"{report.body.name}/{report.year}/{n}"
        tail = f".{extension}" if extension else ""
        return (
            f"{self.root}/attachment/0/{digits(key + 'a', 3)}/{digits(key + 'b', 6)}/{digits(key, 7)}{tail}"
        )

    def _file(self, report: Report, n: int, fmt: str, extension: str) -> Attachment:
        label = "统计表" if fmt in ("et", "xls") else "年度报告"
        stem = f"{report.body.short}{report.year}年政府信息公开工作{label}"
        filename = f"{stem}.{extension or replica_files.extension_of(fmt)}"
        made = replica_files.attachment(self._file_url(report, n, extension), filename, report, fmt=fmt)
        return made

    def file_response(self, attachment: Attachment, modified: datetime) -> Response:
        disposition = f"attachment; filename*=UTF-8''{quote(attachment.filename)}"
        headers = [("Content-Type", attachment.content_type), ("Content-Disposition", disposition)]
        return Response(200, headers, attachment.content(), modified)

    def article_html(self, item: Item) -> str:
        report, body = item.report, item.report.body if item.report else item.column.body
        title = item.title  # a re-post carries its own title
        source = body.name if body else f"{self.name}办公室"
        files = "".join(
            f'<p><a href="{a.url.removeprefix(self.root)}">{html.escape(a.filename)}</a></p>'
            for a in item.files
        )
        text = "".join(f"<p>{html.escape(v)}</p>" for _, v in (report.blocks if report else item.blocks))
        when = item.published
        meta = (
            f'<table class="xxgk_table"><tr><td>索 引 号：</td><td>{body.code if body else ""}/{when.year}-'
            f"{digits(item.path, 6)}</td><td>生成日期：</td><td>{when:%Y-%m-%d}</td></tr>"
            "<tr><td>文 号：</td><td></td><td>关键字：</td><td>年度报告</td></tr>"
            f"<tr><td>所属机构：</td><td>{html.escape(source)}</td><td>发布机构：</td><td>{html.escape(source)}</td></tr></table>"
        )
        page = (
            f'{meta}\n<div class="article"><h1>{html.escape(title)}</h1>\n'
            f'<div class="info">信息来源:{html.escape(source)} 发布时间:{when:%Y-%m-%d %H:%M} 浏览次数:<span id="c"></span></div>\n'
            f'<div class="content">{text}{files}</div></div>'
        )
        return self._page(title, page)

    def _page(self, title: str, body: str) -> str:
        return (
            '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}_{self.name}</title>\n</head>\n<body>\n"
            f'<div class="top"><a href="/">{self.name}</a> <a href="/zfxxgk/index.html">政府信息公开</a>'
            ' <a href="/xwzx/index.html">新闻中心</a></div>\n'
            f'{body}\n<div class="footer">主办：{self.name}办公室</div>\n</body>\n</html>\n'
        )

    def navigation(self, world: World) -> None:
        put = lambda path, title, body: world.put_html(self.root + path, self._page(title, body))  # noqa: E731
        put("/index.html", self.name, '<div class="nav"><a href="/zfxxgk/index.html">政府信息公开</a>'
            ' <a href="/xwzx/index.html">新闻中心</a></div>')  # fmt: skip
        left = (
            '<ul class="left"><li><a href="/zfxxgk/zfxxgkzn/index.html">政府信息公开指南</a></li>'
            f'<li><a href="{NIANBAO}index.html">政府信息公开年报</a></li>'
            '<li><a href="/zfxxgk/fdzdgknr/index.html">法定主动公开内容</a></li></ul>'
        )
        put("/zfxxgk/index.html", "政府信息公开", left)
        put("/zfxxgk/zfxxgkzn/index.html", "政府信息公开指南", left + "<h2>政府信息公开指南</h2>")
        put("/zfxxgk/fdzdgknr/index.html", "法定主动公开内容", left + "<h2>法定主动公开内容</h2>")
        put("/xwzx/index.html", "新闻中心", "<h2>新闻中心</h2>")
        years = sorted(
            {c.path.removeprefix(NIANBAO).split("/")[0] for c in self.column_map.values()}, reverse=True
        )
        links = "".join(f'<li><a href="./{y}/index.html">{y[:-1]}年</a></li>' for y in years)
        put(f"{NIANBAO}index.html", "政府信息公开年报", left + f'<div class="years"><ul>{links}</ul></div>')
        for year in years:
            kinds = [c for c in self.column_map.values() if c.path.startswith(f"{NIANBAO}{year}/")]
            kinds.sort(key=lambda c: list(TYPES).index(c.group))
            links = "".join(f'<li><a href="./{c.key.split("/")[1]}/1.html">{c.name}</a></li>' for c in kinds)
            put(f"{NIANBAO}{year}/index.html", f"{year[:-1]}年政府信息公开年报", left + f"<ul>{links}</ul>")
        for column in self.column_map.values():  # the folder itself: page 1
            world.put(
                self.root + column.path + "index.html", world.pages[(self.host, self.list_path(column, 0))]
            )
        world.put(
            self.root + "/robots.txt",
            Response(200, [("Content-Type", "text/plain")], b"User-agent: *\nAllow: /\n"),
        )
