"""A classic Hanweb county portal with server-rendered lists (sites.md §3 「Old-style Hanweb with
breadcrumb」), at ``www.anding.gov.cn`` (定西市安定区).

Unlike archetype A there is no data proxy and no inline datastore: ``/col/col{id}/index.html`` lists its
entries in the HTML and ``?uid={unit}&pageNum={n}`` really pages (「首页 上一页 下一页 尾页」, 「共N页」).
The way in differs too: 政务公开 ``/col/col{zwgk}/`` → 信息工作年度报告 landing → 区政府 column and the
部门 / 乡镇（街道） directory columns. Articles: ``/art/{Y}/{M}/{D}/art_{col}_{art}.html`` with
「首页>政务公开>信息工作年度报告」 and 「发布日期:YYYY-MM-DD HH:MM 字号:[ ] 视力保护色:」.
"""

from __future__ import annotations

import html
import random

from tests.replica.content import Body
from tests.replica.county import Column, Item, Style
from tests.replica.world import Report, Response, World, inline_markup, not_found

HOST = "www.anding.gov.cn"
DEPARTMENTS = [
    ("人民政府办公室", "bgs"), ("发展和改革局", "fgj"), ("教育局", "jyj"), ("财政局", "czj"), ("民政局", "mzj"),
    ("人力资源和社会保障局", "rsj"), ("农业农村局", "nyncj"), ("卫生健康局", "wjj"), ("市场监督管理局", "scjgj"),
]  # fmt: skip
TOWNS = [
    ("中华路街道", "zhljd"), ("永定路街道", "ydljd"), ("福台路街道", "ftljd"), ("凤翔镇", "fxz"), ("内官营镇", "ngyz"),
    ("鲁家沟镇", "ljgz"), ("西巩驿镇", "xgyz"), ("宁远镇", "nyz"), ("香泉镇", "xqz"), ("称钩驿镇", "cgyz"),
]  # fmt: skip


class Classic(Style):
    site = "anding"
    host = HOST
    name = "定西市安定区人民政府"
    departments = DEPARTMENTS
    towns = TOWNS
    per_page = (6, 8)
    noise = (8, 14)

    def __init__(self) -> None:
        super().__init__()
        self.paged: dict[tuple[str, int], Response] = {}  # (column path, pageNum ≥ 2) → page
        self.ids: dict[str, int] = {}  # zwgk, landing, departments, towns → column id

    def columns(
        self, rng: random.Random, government: Body, departments: list[Body], towns: list[Body]
    ) -> None:
        ids = iter(sorted(rng.sample(range(500, 9000), 5 + len(departments) + len(towns))))
        self.ids = {key: next(ids) for key in ("zwgk", "landing", "departments", "towns")}
        for body in (government, *departments, *towns):
            column_id = next(ids)
            name = f"{body.short}年报" if body.kind == "政府" else body.short
            self.column_map[body.name] = Column(
                body.name, name, f"/col/col{column_id}/", body.kind, body, id=column_id
            )
        self.unit = rng.randint(10000, 99999)

    def column_of(self, report: Report) -> Column:
        return self.column_map[report.body.name]

    def number(self, rng: random.Random, items: list[Item]) -> None:
        serial = max([0, *(i.serial for c in self.column_map.values() for i in c.items)]) or rng.randint(
            1700000, 1800000
        )
        for item in sorted(items, key=lambda i: (i.published, i.column.key, i.title)):
            serial += rng.randint(1, 300)
            day = item.published
            item.serial = serial
            item.path = f"/art/{day.year}/{day.month}/{day.day}/art_{item.column.id}_{serial}.html"

    def list_path(self, column: Column, number: int) -> str:
        tail = f"?uid={self.unit}&pageNum={number + 1}" if number else ""
        return f"{column.path}index.html{tail}"

    def store(self, world: World, path: str, response: Response) -> None:
        if "?" not in path:
            world.put(self.root + path, response)
        else:
            self.paged[(path.split("?", 1)[0], int(path.rsplit("=", 1)[1]))] = response

    def handle(self, world: World, method: str, path: str, query: dict[str, list[str]]) -> Response | None:
        page = (query.get("pageNum") or [""])[0]
        if not path.startswith("/col/") or not page:
            return None
        if not page.isdigit() or int(page) < 1:
            return not_found()
        if int(page) == 1:
            return world.static(self.host, path)
        return self.paged.get((path, int(page))) or not_found()

    def list_html(self, column: Column, items: list[Item], number: int, pages: int) -> str:
        entries = "".join(
            f'<tr><td><a href="{i.path}" title="{html.escape(i.title)}" target="_blank">{html.escape(i.title)}</a></td>'
            f"<td>{i.published:%Y-%m-%d}</td></tr>\n"
            for i in items
        )
        link = lambda n: self.list_path(column, n - 1) if n > 1 else f"{column.path}index.html"  # noqa: E731
        links = [f'<a href="{link(1)}">首页</a>']
        if number > 0:
            links.append(f'<a href="{link(number)}">上一页</a>')
        if number + 1 < pages:
            links.append(f'<a href="{link(number + 2)}">下一页</a>')
        links.append(f'<a href="{link(pages)}">尾页</a>')
        pager = f'<div class="pager">共{pages}页 {len(column.items)}条 当前第{number + 1}页 {" ".join(links)}</div>'
        return self._page(
            column.name, self._crumbs(column.name) + f'<table class="list">\n{entries}</table>\n{pager}'
        )

    def _crumbs(self, last: str) -> str:
        zwgk, landing = self.ids["zwgk"], self.ids["landing"]
        return (
            f'<div class="crumbs"><a href="/">首页</a>&gt;<a href="/col/col{zwgk}/index.html">政务公开</a>&gt;'
            f'<a href="/col/col{landing}/index.html">信息工作年度报告</a>&gt;{html.escape(last)}</div>\n'
        )

    def article_html(self, item: Item) -> str:
        report = item.report
        title = item.title  # a re-post carries its own title
        blocks = report.blocks if report else item.blocks
        lines = report.title_lines if report and report.title_lines and title == report.title else (title,)
        text = "\n".join(
            f"<p>{inline_markup(v)}</p>" if kind in ("p", "h") else v for kind, v in blocks if kind != "img"
        )
        when = item.published
        page = (
            self._crumbs(item.column.name)
            + f'<div class="title">{"<br>".join(html.escape(x) for x in lines)}</div>\n'
            f'<div class="info">发布日期:{when:%Y-%m-%d %H:%M} 字号:[ <a>大</a> <a>中</a> <a>小</a> ] 视力保护色:</div>\n'
            f'<div id="zoom">{text}</div>'
        )
        source = (report.body if report else item.column.body).name
        head = f'<meta name="ContentSource" content="{html.escape(source)}">\n'
        return self._page(title, page, head)

    def _page(self, title: str, body: str, head: str = "") -> str:
        return (
            '<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=UTF-8">\n'
            f"<title>{html.escape(title)} {self.name}</title>\n{head}</head>\n<body>\n"
            f'<div class="nav"><a href="/index.html">网站首页</a> <a href="/col/col{self.ids["zwgk"]}/index.html">政务公开</a>'
            ' <a href="/col/col100/index.html">新闻动态</a></div>\n'
            f'{body}\n<div class="footer">{self.name} 版权所有</div>\n</body>\n</html>\n'
        )

    def navigation(self, world: World) -> None:
        put = lambda path, title, body: world.put_html(self.root + path, self._page(title, body))  # noqa: E731
        ids = self.ids
        put("/index.html", self.name, '<div class="banner">欢迎访问</div>')
        put("/col/col100/index.html", "新闻动态", "<h2>新闻动态</h2>")
        put(f"/col/col{ids['zwgk']}/index.html", "政务公开",
            '<ul><li><a href="/col/col101/index.html">政府信息公开指南</a></li>'
            f'<li><a href="/col/col{ids["landing"]}/index.html">政府信息公开年报</a></li></ul>')  # fmt: skip
        put("/col/col101/index.html", "政府信息公开指南", "<h2>政府信息公开指南</h2>")
        columns = list(self.column_map.values())
        government = next(c for c in columns if c.group == "政府")
        put(f"/col/col{ids['landing']}/index.html", "信息工作年度报告", self._crumbs("") + (
            f'<ul class="sub"><li><a href="{government.path}index.html">{government.name}</a></li>'
            f'<li><a href="/col/col{ids["departments"]}/index.html">部门年报</a></li>'
            f'<li><a href="/col/col{ids["towns"]}/index.html">乡镇（街道）年报</a></li></ul>'))  # fmt: skip
        for key, group, name in (
            ("departments", "部门", "部门年报"),
            ("towns", "乡镇街道", "乡镇（街道）年报"),
        ):
            links = "".join(
                f'<li><a href="{c.path}index.html">{c.name}</a></li>' for c in columns if c.group == group
            )
            put(
                f"/col/col{ids[key]}/index.html", name, self._crumbs(name) + f'<ul class="units">{links}</ul>'
            )
        world.put(
            self.root + "/robots.txt",
            Response(200, [("Content-Type", "text/plain")], b"User-agent: *\nDisallow:\n"),
        )
