"""A SiteServer-CMS county portal with per-town sub-sites (a CMS the crawler has no base for), at
``www.xunyi.gov.cn`` (旬邑县).

Grammars imitated (only what was found; nothing here is copied from a real page):

- SiteServer's static output: channels ``/channels/{channelId}.html``, page n ≥ 2
  ``/channels/{channelId}_{n}.html``, articles ``/contents/{channelId}/{contentId}.html``; a sub-site
  (子站点) publishes the same grammar under its own directory, ``/{dir}/channels/…``.
- SiteServer's pager, ``stl:pageItem`` (siteserver/cms, source/SiteServer.CMS/StlParser/StlElement/
  StlPageItem.cs): 首页 / 上一页 / 下一页 / 末页, an unclickable item (``javascript:;``) on the first and
  last page, a 页导航 (PageNavigation) window of ``listNum`` = 9 page numbers around the current page —
  so a long column's later pages are not linked from page 1 — and a 页跳转 (PageSelect) drop-down.
- The drop-down pager ``<select onchange="window.location.href=this.options[this.selectedIndex].value">``
  whose ``<option value>`` is each page's URL (a common JSP/CMS idiom in the stored public code).
- ``javascript:goPage(n)`` pagers whose page-URL pattern is only in an inline script.
- sites.md §3: the 政府信息公开 left nav (… / 法定主动公开内容 / 政府信息公开年报 / …), the 年报 columns two
  levels down; sites.md §0: titles whose body is only in the breadcrumb or heading.
- The brief's list of real-portal features: link text only 「2023年度报告」 with the body only in the
  column heading; dates printed ``2023/01/16``, or ``01-16`` beside a year heading.

Layout: 首页 → 政务公开 → 法定主动公开内容 → 政府信息公开年报 → 县政府年报 (SiteServer pager, anchors and
select, 9-page window) / 部门年报 → one channel per department (a select-only pager, short link texts,
slash dates) / 乡镇年报 → one sub-site per town (``/{slug}/channels/{id}.html``, a ``goPage`` pager,
``01-16`` beside the year).
"""

from __future__ import annotations

import html
import random

from tests.replica.content import Body
from tests.replica.county import Column, Item, Style, noise_items
from tests.replica.world import Report, Response, World, inline_markup

HOST = "www.xunyi.gov.cn"
DEPARTMENTS = [
    ("人民政府办公室", "bgs"), ("发展和改革局", "fgj"), ("教育局", "jyj"), ("财政局", "czj"), ("民政局", "mzj"),
    ("自然资源局", "zrzyj"), ("农业农村局", "nyncj"), ("卫生健康局", "wjj"), ("应急管理局", "yjglj"),
]  # fmt: skip
TOWNS = [
    ("城关街道", "cgjd"), ("土桥镇", "tqz"), ("职田镇", "ztz"), ("张洪镇", "zhz"), ("太村镇", "tcz"),
    ("郑家镇", "zjz"), ("湫坡头镇", "qptz"), ("底庙镇", "dmz"), ("马栏镇", "mlz"),
]  # fmt: skip
#: SiteServer's default 页导航 window (StlPageItem listNum)
NAVIGATION_WINDOW = 9
PAGER_UNCLICKED = "javascript:;"
SELECT_JUMP = 'onchange="window.location.href=this.options[this.selectedIndex].value"'


class SiteServer(Style):
    site = "xunyi"
    host = HOST
    name = "旬邑县人民政府"
    departments = DEPARTMENTS
    towns = TOWNS
    per_page = (3, 5)
    noise = (10, 16)

    def __init__(self) -> None:
        super().__init__()
        self.ids: dict[str, int] = {}  # navigation channels → channel id

    def columns(
        self, rng: random.Random, government: Body, departments: list[Body], towns: list[Body]
    ) -> None:
        ids = iter(sorted(rng.sample(range(20, 900), 10 + len(departments) + len(towns))))
        self.ids = {k: next(ids) for k in ("zwgk", "fdzdgk", "nianbao", "bumen", "xiangzhen", "zhinan", "news", "jgzn", "ysqgk")}
        column_id = next(ids)
        self.column_map[government.name] = Column(
            government.name, "县政府年报", f"/channels/{column_id}", "政府", government, id=column_id
        )
        for body in (*departments, *towns):
            column_id = next(ids)
            prefix = f"/{body.slug}" if body.kind == "乡镇街道" else ""  # a town is a sub-site of its own
            self.column_map[body.name] = Column(
                body.name, body.short, f"{prefix}/channels/{column_id}", body.kind, body, id=column_id
            )

    def extras(self, world: World, rng: random.Random, items: list[Item]) -> list[Item]:
        """The county's own column is long (its notices share it): more pages than the 9-page window."""
        government = next(c for c in self.column_map.values() if c.group == "政府")
        return noise_items(rng, government, rng.randint(36, 48), self.name)

    def column_of(self, report: Report) -> Column:
        return self.column_map[report.body.name]

    def number(self, rng: random.Random, items: list[Item]) -> None:
        serial = max([0, *(i.serial for c in self.column_map.values() for i in c.items)]) or rng.randint(
            1000, 3000
        )
        for item in sorted(items, key=lambda i: (i.published, i.column.key, i.title)):
            serial += rng.randint(1, 40)
            item.serial = serial
            site_dir = item.column.path.removesuffix(f"/channels/{item.column.id}")
            item.path = f"{site_dir}/contents/{item.column.id}/{serial}.html"

    def list_path(self, column: Column, number: int) -> str:
        return f"{column.path}{f'_{number + 1}' if number else ''}.html"

    # -- list pages -----------------------------------------------------------------------------------

    def list_html(self, column: Column, items: list[Item], number: int, pages: int) -> str:
        if column.group == "部门":
            entries = "".join(
                f'<li><a href="{i.path}" target="_blank">{html.escape(_short_title(i))}</a>'
                f'<span class="date">{i.published:%Y/%m/%d}</span></li>\n'
                for i in items
            )
            pager = self._select_pager(column, number, pages)
        elif column.group == "乡镇街道":
            entries = "".join(
                f'<li><span class="date"><em>{i.published:%Y}</em>{i.published:%m-%d}</span>'
                f'<a href="{i.path}" title="{html.escape(i.title)}">{html.escape(i.title)}</a></li>\n'
                for i in items
            )
            pager = self._script_pager(column, number, pages)
        else:
            entries = "".join(
                f'<li><a href="{i.path}" title="{html.escape(i.title)}">{html.escape(i.title)}</a>'
                f"<span>{i.published:%Y-%m-%d}</span></li>\n"
                for i in items
            )
            pager = self._stl_pager(column, number, pages) + self._select_pager(column, number, pages)
        crumbs = self._crumbs(column)
        body = (
            f'<div class="location">当前位置：{crumbs}</div>\n'
            f'<div class="lm-title"><h3>{html.escape(column.body.short if column.body else column.name)}</h3></div>\n'
            f'<ul class="news-list">\n{entries}</ul>\n<div class="pager">{pager}</div>'
        )
        return self._page(column.name, self._left() + body, self._site_title(column))

    def _stl_pager(self, column: Column, number: int, pages: int) -> str:
        """stl:pageItem: 首页 上一页 [window of 9] 下一页 末页, unclickable ends as ``javascript:;``."""
        url = lambda n: self.list_path(column, n)  # noqa: E731  n is 0-based
        first = number > 0
        last = number + 1 < pages
        half = NAVIGATION_WINDOW // 2
        start = max(0, min(number - half, pages - NAVIGATION_WINDOW))
        window = range(start, min(pages, start + NAVIGATION_WINDOW))
        links = [
            f'<a href="{url(0) if first else PAGER_UNCLICKED}">首页</a>',
            f'<a href="{url(number - 1) if first else PAGER_UNCLICKED}">上一页</a>',
            *(
                f"<span>[{n + 1}]</span>" if n == number else f'<a href="{url(n)}">[{n + 1}]</a>'
                for n in window
            ),
            f'<a href="{url(number + 1) if last else PAGER_UNCLICKED}">下一页</a>',
            f'<a href="{url(pages - 1) if last else PAGER_UNCLICKED}">末页</a>',
        ]
        return " ".join(links)

    def _select_pager(self, column: Column, number: int, pages: int) -> str:
        """stl:pageItem type=PageSelect: the only way on from a department's page."""
        options = "".join(
            f'<option value="{self.list_path(column, n)}"{" selected" if n == number else ""}>第{n + 1}页</option>'
            for n in range(pages)
        )
        return f"<span>共{pages}页 跳转到 <select {SELECT_JUMP}>{options}</select></span>"

    def _script_pager(self, column: Column, number: int, pages: int) -> str:
        """A town sub-site's pager: ``javascript:goPage(n)`` 上一页/下一页 only; the URL pattern is only in the script."""
        script = (
            "<script>function goPage(page){if(page==1){window.location.href="
            f'"{column.path}.html";}}else{{window.location.href="{column.path}_"+page+".html";}}}}</script>'
        )
        links = []  # no page count and no numbers: the list is walked one 下一页 at a time
        if number > 0:
            links.append(f'<a href="javascript:goPage({number})">上一页</a>')
        if number + 1 < pages:
            links.append(f'<a href="javascript:goPage({number + 2})">下一页</a>')
        return script + f"<span>当前第{number + 1}页</span> " + " ".join(links)

    # -- articles -------------------------------------------------------------------------------------

    def article_html(self, item: Item) -> str:
        report = item.report
        body = report.body if report else item.column.body
        blocks = report.blocks if report else item.blocks
        text = "\n".join(
            f"<p>{inline_markup(v)}</p>" if kind in ("p", "h") else v for kind, v in blocks if kind != "img"
        )
        source = body.name if body else self.name
        page = (
            f'<div class="location">当前位置：{self._crumbs(item.column)}</div>\n'
            f'<div class="article"><h1>{html.escape(item.title)}</h1>\n'
            f'<div class="info">发布时间：{item.published:%Y/%m/%d} 来源：{html.escape(source)} '
            f'浏览次数：<script src="/api/sys/stl/actions/add_hits?contentId={item.serial}"></script></div>\n'
            f'<div class="article-content">{text}</div></div>'
        )
        return self._page(item.title, page, self._site_title(item.column))

    # -- chrome and navigation --------------------------------------------------------------------------

    def _site_title(self, column: Column) -> str:
        if column.group == "乡镇街道" and column.body:
            return column.body.name  # a town sub-site's own header
        return self.name

    def _channel(self, key: str) -> str:
        return f"/channels/{self.ids[key]}.html"

    def _crumbs(self, column: Column) -> str:
        group = {"政府": None, "部门": "bumen", "乡镇街道": "xiangzhen"}[column.group]
        trail = [("/", "首页"), (self._channel("zwgk"), "政务公开"), (self._channel("fdzdgk"), "法定主动公开内容"),
                 (self._channel("nianbao"), "政府信息公开年报")]  # fmt: skip
        if group:
            trail.append((self._channel(group), "部门年报" if group == "bumen" else "乡镇年报"))
        trail.append((self.list_path(column, 0), column.name))
        return " &gt; ".join(f'<a href="{href}">{html.escape(text)}</a>' for href, text in trail)

    def _left(self) -> str:
        # the 年报 is not in the left nav: only inside 法定主动公开内容's tree (the brief's nesting)
        entries = [("zhinan", "政府信息公开指南"), ("fdzdgk", "法定主动公开内容"), ("ysqgk", "依申请公开")]
        links = "".join(f'<li><a href="{self._channel(k)}">{name}</a></li>' for k, name in entries)
        return f'<div class="left-nav"><h2>政府信息公开</h2><ul>{links}</ul></div>\n'

    def _page(self, title: str, body: str, header: str | None = None) -> str:
        return (
            '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)}-{html.escape(header or self.name)}</title>\n</head>\n<body>\n"
            f'<div class="header"><a href="/">{html.escape(header or self.name)}</a> '
            f'<a href="{self._channel("zwgk")}">政务公开</a> <a href="{self._channel("news")}">新闻中心</a></div>\n'
            f'{body}\n<div class="footer">主办：{self.name}办公室 技术支持：SiteServer CMS</div>\n</body>\n</html>\n'
        )

    def navigation(self, world: World) -> None:
        def put(path: str, title: str, body: str) -> None:
            world.put_html(self.root + path, self._page(title, body))

        columns = list(self.column_map.values())
        government = next(c for c in columns if c.group == "政府")
        put("/index.html", self.name,
            f'<div class="nav"><a href="{self._channel("zwgk")}">政务公开</a> '
            f'<a href="{self._channel("news")}">新闻中心</a></div>')  # fmt: skip
        put(self._channel("news"), "新闻中心", "<h2>新闻中心</h2>")
        put(self._channel("zwgk"), "政务公开", self._left())
        put(self._channel("zhinan"), "政府信息公开指南", self._left() + "<h2>政府信息公开指南</h2>")
        put(self._channel("fdzdgk"), "法定主动公开内容",
            self._left() + f'<ul class="tree"><li><a href="{self._channel("jgzn")}">机构职能</a></li>'
            f'<li><a href="{self._channel("nianbao")}">政府信息公开年报</a></li></ul>')  # fmt: skip
        put(self._channel("jgzn"), "机构职能", self._left() + "<h2>机构职能</h2>")
        put(self._channel("ysqgk"), "依申请公开", self._left() + "<h2>依申请公开</h2>")
        groups = [(self.list_path(government, 0), government.name), (self._channel("bumen"), "部门年报"),
                  (self._channel("xiangzhen"), "乡镇年报")]  # fmt: skip
        put(self._channel("nianbao"), "政府信息公开年报",
            self._left() + "".join(f'<div class="sub"><a href="{h}">{t}</a></div>' for h, t in groups))
        for key, group, title in (("bumen", "部门", "部门年报"), ("xiangzhen", "乡镇街道", "乡镇年报")):
            links = "".join(
                f'<li><a href="{self.list_path(c, 0)}">{html.escape(c.body.short)}</a></li>'
                for c in columns
                if c.group == group and c.body
            )
            put(self._channel(key), title, self._left() + f'<ul class="units">{links}</ul>')
        world.put(self.root + "/robots.txt", Response(200, [("Content-Type", "text/plain")],
                                                      b"User-agent: *\nDisallow: /api/\nDisallow: /home/\n"))  # fmt: skip


def _short_title(item: Item) -> str:
    """A department's list prints a report as 「2023年度报告」: the body is only in the column heading."""
    if item.report is None:
        return item.title
    return f"{item.report.year}年度报告"
