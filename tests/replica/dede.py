"""Archetype D: a legacy GBK county site, DedeCMS-like (sites.md §3, §6.5), at ``www.xincai.gov.cn`` (新蔡县).

Every page is GBK under a misleading label (no charset in the header, a wrong ``charset=utf-8`` on one
article, a malformed meta on some); lists are tables with unclosed ``<td>``/``<font>`` paged as
``list_{typeid}_{n}.html`` with 「共 N页M条」; articles say 「发布时间：YYYY年MM月DD日」; one report is posted
twice, the later copy titled 「…（更正）」; one report is only a ``.doc``, another posts a ``.rar``.
"""

from __future__ import annotations

import html
import random
import re
from datetime import datetime

from tests.replica import files as replica_files
from tests.replica.common import digits
from tests.replica.content import Body
from tests.replica.county import Column, Item, Style, post_twice
from tests.replica.world import Attachment, Report, Response, World, gbk_response

HOST = "www.xincai.gov.cn"
CHANNEL = "/a/zhengfuxinxigongkai/zfxxgknb/"
GROUPS = {"政府": ("", "县政府年报"), "部门": ("bumen/", "部门年报"), "乡镇街道": ("xiangzhen/", "乡镇年报")}
DEPARTMENTS = [
    ("人民政府办公室", "bgs"), ("发展和改革委员会", "fgw"), ("教育局", "jyj"), ("财政局", "czj"), ("民政局", "mzj"),
    ("农业农村局", "nyncj"), ("卫生健康委员会", "wjw"), ("交通运输局", "jtysj"), ("水利局", "slj"),
]  # fmt: skip
TOWNS = [
    ("古吕街道", "gljd"), ("今是街道", "jsjd"), ("练村镇", "lcz"), ("棠村镇", "tcz"), ("韩集镇", "hjz"),
    ("砖店镇", "zdz"), ("陈店镇", "cdz"), ("镕山镇", "rsz"), ("化庄乡", "hzx"), ("杨庄户乡", "yzhx"),
]  # fmt: skip
#: 镕 is outside GB2312: only GBK/GB18030 decode its name
GBK_ONLY_TOWN = "镕山镇"
RAR = b"Rar!\x1a\x07\x00"  # RAR 4 marker block; the rest is opaque to a crawler


class Dede(Style):
    site = "xincai"
    host = HOST
    name = "新蔡县人民政府"
    departments = DEPARTMENTS
    towns = TOWNS
    always = (GBK_ONLY_TOWN,)
    per_page = (6, 8)
    noise = (10, 16)

    def __init__(self) -> None:
        super().__init__()
        self.made = 0
        self.traps: dict[str, str] = {}  # article path → its encoding trap

    def columns(
        self, rng: random.Random, government: Body, departments: list[Body], towns: list[Body]
    ) -> None:
        for typeid, (kind, (sub, name)) in zip(rng.sample(range(8, 60), 3), GROUPS.items(), strict=True):
            self.column_map[kind] = Column(kind, name, CHANNEL + sub, kind, id=typeid)

    def column_of(self, report: Report) -> Column:
        return self.column_map[report.body.kind]

    def prepare(self, rng: random.Random, report: Report) -> None:
        index, self.made = self.made, self.made + 1
        report.files = {}
        if index == 3:  # the report is only its .doc
            numbers, report.tables = report.tables, None
            report.file_tables, report.table_render, report.numbers_from = numbers, "attachment_only", "doc"
            report.blocks = [("p", f"{report.title}详见附件。")]
            report.files = {"doc": "doc"}
            report.notes.append("report only as a .doc attachment")
        elif index in (5, 11):
            report.files = {"rar": "rar"} if index == 5 else {"xls": "xls"}
            report.notes.append(f".{'rar' if index == 5 else 'xls'} attachment")

    def extras(self, world: World, rng: random.Random, items: list[Item]) -> list[Item]:
        mine = sorted(
            (i for i in items if i.report.body.kind == "部门"),
            key=lambda i: (i.report.body.name, i.report.year),
        )
        first = rng.choice(mine)
        return [post_twice(first, rng.randint(48, 120))]

    def finish(self, world: World) -> None:
        for report in (r for r in world.reports if r.site == self.site):
            trap = self.traps.get(report.url.removeprefix(self.root))
            if trap:
                report.encoding = {"charset": "gbk", "trap": trap}

    def number(self, rng: random.Random, items: list[Item]) -> None:
        serial = max([0, *(i.serial for c in self.column_map.values() for i in c.items)]) or rng.randint(
            100, 400
        )
        for item in sorted(items, key=lambda i: (i.published, i.column.key, i.title)):
            serial += rng.randint(1, 9)
            item.serial = serial
            item.path = f"{item.column.path}{item.published:%Y}/{item.published:%m%d}/{serial}.html"
            wrong = item.report is not None and "wrong_header" not in self.traps.values()
            self.traps[item.path] = (
                "wrong_header"
                if wrong
                else rng.choice(("no_charset_header", "no_charset_header", "malformed_meta"))
            )  # one report article claims utf-8; most say nothing; some carry a malformed meta
        noise = [i for i in items if i.kind == "noise"]
        if len(noise) > 3:
            day = noise[3].published
            noise[3].list_date = f"{day.year}-{day.month}-{day.day}"  # 「2019-1-5」: no zero-padding

    def list_path(self, column: Column, number: int) -> str:
        return f"{column.path}list_{column.id}_{number + 1}.html"

    def store(self, world: World, path: str, response: Response) -> None:
        world.put(self.root + path, response)
        if path.endswith("_1.html"):  # page 1 is also the channel's index
            world.put(self.root + path.rsplit("/", 1)[0] + "/index.html", response)

    def respond(self, text: str, path: str, modified: datetime | None) -> Response:
        return gbk_response(text, self.traps.get(path, "no_charset_header"), modified)

    def list_html(self, column: Column, items: list[Item], number: int, pages: int) -> str:
        folder = column.path.rstrip("/").rsplit("/", 1)[1]
        rows = "".join(
            f'<tr><td width="80%"><font color="#333333"><a href="../{folder}/{i.path.removeprefix(column.path)}">'
            f"{html.escape(i.title)}</a></td><td>[{i.list_date or f'{i.published:%Y-%m-%d}'}]\n"
            for i in items
        )  # unclosed <font>, <td> and <tr>: as the old templates write them
        name = lambda n: f"list_{column.id}_{n}.html"  # noqa: E731
        links = [f'<a href="{name(1)}">首页</a>']
        if number > 0:
            links.append(f'<a href="{name(number)}">上一页</a>')
        links += [f'<a href="{name(n)}">{n}</a>' for n in range(1, pages + 1)]
        if number + 1 < pages:
            links.append(f'<a href="{name(number + 2)}">下一页</a>')
        links.append(f'<a href="{name(pages)}">末页</a>')
        info = f'<span class="pageinfo">共 <strong>{pages}</strong>页<strong>{len(column.items)}</strong>条</span>'
        body = (
            f'<table class="listtable">\n{rows}</table>\n<div class="pagelist">{" ".join(links)} {info}</div>'
        )
        return self._page(column.name, self._left() + body)

    def _left(self) -> str:
        links = "".join(f'<a href="{CHANNEL}{sub}">{name}</a><br>' for sub, name in GROUPS.values())
        return f'<table class="left"><tr><td><b>政府信息公开年报</b><br>{links}</table>'

    def files(self, item: Item) -> list[Attachment]:
        report = item.report
        made = []
        stamp = report.published
        for n, fmt in enumerate(report.files.values()):
            url = f"{self.root}/uploads/soft/{stamp:%y%m%d}/{n + 1}-{stamp:%y%m%d%H%M}.{fmt}"
            label = "年度报告" if fmt == "doc" else "统计表"
            filename = f"{report.body.short}{report.year}年政府信息公开工作{label}.{fmt}"
            if fmt == "rar":
                made.append(_rar(url, filename, report))
            else:
                made.append(replica_files.attachment(url, filename, report, fmt=fmt))
        return made

    def article_html(self, item: Item) -> str:
        report = item.report
        title = item.title  # a re-post carries its own title
        body = report.body if report else item.column.body
        source = body.short if body and body.kind != "政府" else "县政府办公室"
        when = item.published
        depth = item.path.count("/") - 1
        up = "../" * depth
        paragraphs = "\n".join(
            f'<p><font face="仿宋_GB2312" size="4">{html.escape(v)}</font></p>' if kind in ("p", "h")
            else _nbsp(v) for kind, v in (report.blocks if report else item.blocks)
        )  # fmt: skip
        files = "".join(
            f'<p>附件：<a href="{up}{a.url.removeprefix(self.root + "/")}">{html.escape(a.filename)}</a></p>'
            for a in (item.files if report else [])
        )
        page = (
            f"<h1>{html.escape(title)}</h1>\n"
            f'<div class="info">发布时间：{when:%Y年%m月%d日} 来源：{html.escape(source)} '
            f'点击：<script src="/plus/count.php?view=yes&aid={item.serial}&mid=1"></script></div>\n'
            f'<div class="content">\n{paragraphs}\n{files}</div>'
        )
        return self._page(title, page)

    def _page(self, title: str, body: str) -> str:
        return (
            '<html>\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}_{self.name}</title>\n</head>\n<body>\n"
            f'<table class="top"><tr><td><a href="/">{self.name}</a> <a href="/a/zhengfuxinxigongkai/">政府信息公开</a>'
            ' <a href="/a/xinwen/">新闻中心</a></table>\n'
            f"{body}\n<center>主办：{self.name}办公室</center>\n</body>\n</html>\n"
        )

    def navigation(self, world: World) -> None:
        def put(path: str, title: str, body: str) -> None:
            world.put(self.root + path, gbk_response(self._page(title, body), "no_charset_header"))

        put(
            "/index.html",
            self.name,
            '<a href="/a/zhengfuxinxigongkai/">政府信息公开</a> <a href="/a/xinwen/">新闻中心</a>',
        )
        put("/a/xinwen/index.html", "新闻中心", "<b>新闻中心</b>")
        put("/a/zhengfuxinxigongkai/index.html", "政府信息公开",
            '<a href="/a/zhengfuxinxigongkai/zhinan/">政府信息公开指南</a><br>'
            f'<a href="{CHANNEL}">政府信息公开年报</a><br><a href="/a/zhengfuxinxigongkai/yusuan/">财政预决算</a>')  # fmt: skip
        put("/a/zhengfuxinxigongkai/zhinan/index.html", "政府信息公开指南", "<b>政府信息公开指南</b>")
        put("/a/zhengfuxinxigongkai/yusuan/index.html", "财政预决算", "<b>财政预决算</b>")
        world.put(self.root + "/robots.txt", Response(200, [("Content-Type", "text/plain")],
                                                      b"User-agent: *\nDisallow: /plus/\nDisallow: /dede/\n"))  # fmt: skip


_EMPTY_CELL = re.compile(r"<td([^>]*)></td>")


def _nbsp(markup: str) -> str:
    return _EMPTY_CELL.sub(r"<td\1>&nbsp;</td>", markup)


def _rar(url: str, filename: str, report: Report) -> Attachment:
    found = Attachment(url, filename, "application/x-rar-compressed", "attachment", format="rar")
    found.body = RAR + digits(f"{report.body.name}/{report.year}", 40).encode()
    return found
