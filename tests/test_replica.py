"""The replica world: determinism, the traps of sites.md §6, the manifest, and the HTML tables."""

from __future__ import annotations

import http.client
import json
import random
import re
import socket
import urllib.error
import urllib.request
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from tests.replica.fixture import Replica, running_replica
from tests.replica.world import HY, WENDENG, World, build_world
from tests.support.render_html import render_html
from tests.support.values import StatTables, iter_cells, random_tables, seed_tables

DATAPROXY = "http://www.wendeng.gov.cn/module/web/jpage/dataproxy.jsp"


def fetch(replica: Replica, url: str, data: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": replica.proxy_url}))
    try:
        with opener.open(urllib.request.Request(url, data=data), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def records(xml: bytes) -> list[str]:
    return re.findall(r'<record><!\[CDATA\[<li><a href="([^"]+)"', xml.decode("utf-8"))


def column_ids(world: World) -> dict[str, int]:
    return world.columns["hanweb_columns"]


def a_long_column(world: World) -> tuple[int, int, list[str]]:
    """(column id, unit id, records) of a Hanweb column with more than two groups of records."""
    for column_id, column in sorted(world.columns["hanweb"].items()):
        if len(column["records"]) > 60:
            return column_id, column["unit_id"], column["records"]
    raise AssertionError("no long column")


# -- determinism ---------------------------------------------------------------------------------------------


def test_same_seed_gives_identical_bytes() -> None:
    first, second = build_world(3), build_world(3)
    assert first.pages.keys() == second.pages.keys()
    assert all(first.pages[key].body == second.pages[key].body for key in first.pages)
    assert json.dumps(first.manifest(), ensure_ascii=False) == json.dumps(
        second.manifest(), ensure_ascii=False
    )


def test_different_seeds_give_different_column_ids_and_bodies() -> None:
    first, second = build_world(0), build_world(1)
    assert column_ids(first) != column_ids(second)
    assert set(first.columns["hanweb"]) != set(second.columns["hanweb"])
    bodies = [{r["agency"] for r in w.manifest()["reports"]} for w in (first, second)]
    assert bodies[0] != bodies[1]


# -- Hanweb (www.wendeng.gov.cn) -----------------------------------------------------------------------------


def test_navigation_reaches_the_nianbao_landing(replica: Replica) -> None:
    _, _, home = fetch(replica, "http://www.wendeng.gov.cn/index.html")
    assert b"/col/col79327/index.html" in home
    _, _, zwgk = fetch(replica, "http://www.wendeng.gov.cn/col/col79327/index.html")
    landing = column_ids(replica.world)["landing"]
    assert f"/col/col{landing}/index.html".encode() in zwgk


def test_column_page_holds_the_first_group_in_a_cdata_datastore(replica: Replica) -> None:
    column_id, unit_id, all_records = a_long_column(replica.world)
    _, _, page = fetch(replica, f"http://www.wendeng.gov.cn/col/col{column_id}/index.html")
    text = page.decode("utf-8")
    assert '<script type="text/xml"><datastore>' in text
    assert text.count("<record><![CDATA[") == 45
    assert f"totalRecord:{len(all_records)}" in text and "perPage:15" in text
    assert f"columnid:{column_id}" in text and f"unitid:'{unit_id}'" in text
    # a parser that treats <script> as raw text finds no list items (the trap of sites.md §1.2)
    assert lxml.html.fromstring(page).xpath("//div[@class='rsx_cont']//li") == []


def test_page_num_returns_page_one_unless_modern(replica: Replica) -> None:
    column_id, unit_id, _ = a_long_column(replica.world)
    base = f"http://www.wendeng.gov.cn/col/col{column_id}/index.html"
    _, _, first = fetch(replica, base)
    _, _, second = fetch(replica, f"{base}?uid={unit_id}&pageNum=2")
    assert first == second
    with running_replica(seed=0, modern_hanweb=True) as modern:
        _, _, paged = fetch(modern, f"{base}?uid={unit_id}&pageNum=2")
    assert paged != first
    assert records(paged) == records(first)[15:30]


def test_dataproxy_post_and_get_cross_the_group_boundary(replica: Replica) -> None:
    column_id, unit_id, all_records = a_long_column(replica.world)
    form = f"col=1&appid=1&webid=1&path=/&columnid={column_id}&sourceContentType=1&unitid={unit_id}&permissiontype=0"
    _, headers, group0 = fetch(replica, f"{DATAPROXY}?startrecord=1&endrecord=45&perpage=15", form.encode())
    _, _, group1 = fetch(replica, f"{DATAPROXY}?startrecord=46&endrecord=90&perpage=15", form.encode())
    assert headers["Content-Type"].startswith("text/xml")
    assert f"<totalrecord>{len(all_records)}</totalrecord>".encode() in group1
    assert f"<totalpage>{-(-len(all_records) // 15)}</totalpage>".encode() in group1
    expected = [re.search(r'href="([^"]+)"', r).group(1) for r in all_records]
    assert records(group0) == expected[:45]
    assert records(group1) == expected[45:90]
    _, _, page_page = fetch(
        replica, f"{DATAPROXY}?page=4&appid=1&webid=1&path=/&columnid={column_id}&unitid={unit_id}"
    )
    assert records(page_page)[0] == expected[45]  # record 46 opens page 4
    _, _, inline = fetch(replica, f"http://www.wendeng.gov.cn/col/col{column_id}/index.html")
    assert records(inline)[-1] == expected[44] and expected[45] not in records(inline)


@pytest.mark.parametrize(
    "form",
    ["columnid=1&unitid=2", "", "columnid={column}&unitid=999", "unitid={unit}"],
    ids=["wrong", "none", "unit", "column"],
)
def test_dataproxy_with_wrong_ids_is_empty(replica: Replica, form: str) -> None:
    column_id, unit_id, _ = a_long_column(replica.world)
    data = form.format(column=column_id, unit=unit_id).encode()
    status, _, body = fetch(replica, f"{DATAPROXY}?startrecord=1&endrecord=45&perpage=15", data)
    assert status == 200 and b"<recordset/>" in body


def test_alias_view_and_unknown_area(replica: Replica) -> None:
    report = next(r for r in replica.manifest["reports"] if r["site"] == "wendeng")
    alias = next(d for d in report["duplicates"] if d["kind"] == "alias")
    assert alias["duplicate_of"] == report["url"]
    status, _, page = fetch(replica, alias["url"])
    text = page.decode("utf-8")
    assert status == 200 and report["title"] in text and f"发布时间:{report['published']}" in text
    status, _, empty = fetch(
        replica,
        "http://www.wendeng.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=11371081000000000X&fbtime=2022",
    )
    assert status == 200 and "暂无数据" in empty.decode("utf-8")


def test_robots_txt(replica: Replica) -> None:
    status, _, body = fetch(replica, "http://www.wendeng.gov.cn/robots.txt")
    assert status == 200
    assert body.decode().splitlines() == [
        "User-agent: *",
        "Disallow: /module/xxgk/",
        "Disallow: /jsearchfront/",
    ]


def test_double_posting_and_moved_column(replica: Replica) -> None:
    reports = replica.manifest["reports"]
    double = next(r for r in reports if any(d["kind"] == "second_column" for d in r["duplicates"]))
    second = next(d for d in double["duplicates"] if d["kind"] == "second_column")
    assert double["agency"] == "威海市文登区人民政府办公室" and double["year"] == 2022
    ids = column_ids(replica.world)
    assert f"art_{ids['government']}_" in second["url"] and second["url"] != double["url"]
    _, _, first_page = fetch(replica, double["url"])
    _, _, second_page = fetch(replica, second["url"])
    body = re.compile(rb"<!--ZJEG_RSS.content.begin-->.*<!--ZJEG_RSS.content.end-->", re.S)
    assert body.search(first_page).group(0) == body.search(second_page).group(0)
    moved = [r for r in reports if r["agency"] == "威海市文登区住房和城乡建设局"]
    assert 70000 <= ids["moved_old"] < 71000 and 180000 <= ids["moved_new"] < 190000
    assert {f"col{ids['moved_old']}" in r["column_url"] for r in moved} == {True, False}


def test_article_page_matches_the_manifest(replica: Replica) -> None:
    report = next(r for r in replica.manifest["reports"] if r["seed"] == "002")
    assert report["published"] == "2023-01-16 15:32:10"
    assert re.search(r"/art/2023/1/16/art_\d+_\d+\.html$", report["url"])
    _, headers, page = fetch(replica, report["url"])
    text = page.decode("utf-8")
    assert headers["Content-Type"] == "text/html; charset=UTF-8"
    for meta in (
        "SiteIDCode",
        "keywords",
        "description",
        "ArticleTitle",
        "PubDate",
        "ContentSource",
        "ColumnName",
        "Maketime",
        "url",
    ):
        assert f'<meta name="{meta}"' in text
    assert (
        "发布日期：2023-01-16 15:32:10　信息来源：<!--<$[信息来源]>begin-->威海市文登区综合行政执法局" in text
    )
    assert 'id="zoom"' in text and "<!--ZJEG_RSS.content.begin-->" in text


def test_attachment_download_headers(replica: Replica) -> None:
    attachment = next(
        a
        for r in replica.manifest["reports"]
        for a in r["attachments"]
        if r["site"] == "wendeng" and a.get("format") == "xlsx" and a["filename"].endswith(".xlsx")
    )
    status, headers, body = fetch(replica, attachment["url"])
    assert status == 200 and headers["Content-Type"] == attachment["content_type"]
    assert headers["Content-Disposition"].startswith("attachment; filename*=UTF-8''")
    assert body.startswith(b"PK\x03\x04")  # a real workbook, built by tests/support/render_documents.py


def test_every_hanweb_report_is_listed_in_its_column() -> None:
    world = build_world(0)
    listed = {
        urljoin("http://www.wendeng.gov.cn/", re.search(r'href="([^"]+)"', record).group(1))
        for column in world.columns["hanweb"].values()
        for record in column["records"]
    }
    for report in world.manifest()["reports"]:
        if report["site"] == "wendeng":
            assert report["url"] in listed


# -- TRS (www.hy.gov.cn) --------------------------------------------------------------------------------------


def test_trs_pagination_and_404(replica: Replica) -> None:
    _, _, first = fetch(replica, "http://www.hy.gov.cn/xxgk/zfxxgknb/list.html")
    _, _, index = fetch(replica, "http://www.hy.gov.cn/xxgk/zfxxgknb/")
    assert first == index
    pages = int(re.search(rb"var countPage = (\d+);", first).group(1))
    assert pages >= 3 and b'createPageHTML(countPage, 0, "list", "html")' in first
    status, _, last = fetch(replica, f"http://www.hy.gov.cn/xxgk/zfxxgknb/list_{pages - 1}.html")
    assert status == 200 and f"createPageHTML(countPage, {pages - 1},".encode() in last
    status, headers, missing = fetch(replica, f"http://www.hy.gov.cn/xxgk/zfxxgknb/list_{pages}.html")
    assert status == 404 and headers["Content-Type"].startswith("text/html") and b"404" in missing


def test_trs_empty_column_and_single_item_last_page(replica: Replica) -> None:
    paths = replica.world.columns["trs_columns"]
    _, _, empty = fetch(replica, f"http://www.hy.gov.cn{paths['empty']}list.html")
    assert (
        b'var countPage = 1; createPageHTML(countPage, 0, "list", "html")' in empty
        and b'class="w383"' not in empty
    )
    _, _, first = fetch(replica, f"http://www.hy.gov.cn{paths['single_last_item']}list.html")
    pages = int(re.search(rb"var countPage = (\d+);", first).group(1))
    _, _, last = fetch(replica, f"http://www.hy.gov.cn{paths['single_last_item']}list_{pages - 1}.html")
    assert last.count(b'class="w383"') == 1


def test_every_trs_report_is_reachable_from_navigation(replica: Replica) -> None:
    """Walk xxgk → 乡镇部门 indexes → every list page; all canonical report URLs must turn up."""
    seen: set[str] = set()
    columns = ["http://www.hy.gov.cn/xxgk/zfxxgknb/list.html"]
    for index in (
        "http://www.hy.gov.cn/xxgk/bmxxgkml/index.html",
        "http://www.hy.gov.cn/xxgk/xzxxgk/index.html",
    ):
        _, _, page = fetch(replica, index)
        columns += [
            urljoin(index, h) for h in lxml.html.fromstring(page).xpath("//div[@class='unit_list']//a/@href")
        ]
    for column in columns:
        _, _, page = fetch(replica, column)
        pages = int(re.search(rb"var countPage = (\d+);", page).group(1))
        for number in range(pages):
            url = column if number == 0 else column.replace("list.html", f"list_{number}.html")
            _, _, listing = fetch(replica, url)
            seen |= {urljoin(url, h) for h in lxml.html.fromstring(listing).xpath("//a[@title]/@href")}
    for report in replica.manifest["reports"]:
        if report["site"] == "hy":
            assert report["url"] in seen


def test_trs_article_shape(replica: Replica) -> None:
    report = next(r for r in replica.manifest["reports"] if r["seed"] == "001")
    assert report["agency"] == "海原县海城镇人民政府" and report["year"] == 2022
    assert re.search(r"/xxgk/xzxxgk/hcz/xxgknb/\d{6}/t\d{8}_\d{7}\.html$", report["url"])
    _, _, page = fetch(replica, report["url"])
    text = page.decode("utf-8")
    assert text.count('class="zz-xl-ct"') == 2 and "<style" in text and 'id="appendix"' in text
    assert f"发布时间：{report['published'][:16]}　来源：海原县海城镇人民政府" in text
    assert re.search(r"索引号：</td><td>\w{18}/\d{4}-\d{5}<", text)
    assert "<table" in text and "**" not in text


def test_trs_url_month_trap_and_copy(replica: Replica) -> None:
    reports = replica.manifest["reports"]
    trap = next(r for r in reports if "URL month differs from the publish date" in r["notes"])
    url_month = re.search(r"/(\d{6})/t\d{8}_", trap["url"]).group(1)
    assert url_month != trap["published"][:7].replace("-", "")
    copy = next(r for r in reports if any(d["kind"] == "copy_in_county_column" for d in r["duplicates"]))
    copied = next(d for d in copy["duplicates"] if d["kind"] == "copy_in_county_column")
    assert (
        copied["url"].startswith("http://www.hy.gov.cn/xxgk/zfxxgknb/")
        and fetch(replica, copied["url"])[0] == 200
    )


# -- proxy behaviour ---------------------------------------------------------------------------------------------


def test_foreign_host_is_502_without_network(replica: Replica, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("the replica tried to open a connection")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    host, port = replica.proxy_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)  # connects by IP, no lookup
    connection.sock = socket.socket()
    connection.sock.connect((host, int(port)))
    connection.request("GET", "http://www.baidu.com/")
    response = connection.getresponse()
    assert response.status == 502 and b"not part of the replica" in response.read()
    connection.request("GET", "/robots.txt", headers={"Host": WENDENG})  # plain Host header, same connection
    assert connection.getresponse().read().startswith(b"User-agent")


# -- manifest ----------------------------------------------------------------------------------------------------


def test_manifest_sanity(replica: Replica) -> None:
    manifest = replica.manifest
    reports = manifest["reports"]
    for site in ("wendeng", "hy"):
        mine = [r for r in reports if r["site"] == site]
        assert len({r["agency"] for r in mine}) >= 15
        assert {r["year"] for r in mine} == set(range(2019, 2025))
        assert {r["body_type"] for r in mine} == {"政府", "部门", "乡镇街道"}
    seeds = {r["seed"]: r for r in reports if r["seed"]}
    assert sorted(seeds) == ["000", "001", "002", "003", "004"]
    assert (seeds["003"]["agency"], seeds["003"]["year"], seeds["003"]["published"][:10]) == (
        "威海市文登区泽库镇人民政府",
        2021,
        "2022-01-18",
    )
    assert seeds["004"]["published"][:10] == "2024-01-22" and seeds["003"]["table_render"] == "html"
    assert seeds["001"]["tables"]["defects"] == {"sec3.unable.no_info": ["0"] * 6}
    present = {(r["site"], r["agency"], r["year"]) for r in reports}
    assert manifest["missing"] and all(
        (m["site"], m["agency"], m["year"]) not in present for m in manifest["missing"]
    )
    assert {(r["site"], r["agency"], r["year"]) for r in reports}.__len__() == len(
        reports
    )  # one report per body-year
    assert {g for r in reports for g in [r["generation"]]} >= {"G0", "G1", "G2", "unknown"}
    assert any(r["title"].startswith("2023年政府信息公开") for r in reports)


def test_every_manifest_url_is_served(replica: Replica) -> None:
    world = replica.world
    for report in replica.manifest["reports"]:
        for url in report["urls"]:
            host = HY if HY in url else WENDENG
            response = world.handle("GET", host, url.split(host, 1)[1])
            assert response.status == 200, url
    formats_seen: set[str] = set()
    for report in replica.manifest["reports"]:
        for attachment in report["attachments"]:
            parts = urlsplit(attachment["url"])
            routed = (parts.hostname, parts.path) in world.lazy or parts.query.rsplit("filename=", 1)[-1] in world.columns[
                "hanweb_downloads"
            ]
            assert routed, attachment["url"]
            # one file per format: building every file (LibreOffice, PDF, pictures) is the crawls' job
            if attachment.get("format", "") in formats_seen:
                continue
            formats_seen.add(attachment.get("format", ""))
            response = world.handle(
                "GET", HY if HY in attachment["url"] else WENDENG, attachment["url"].split(".gov.cn", 1)[1]
            )
            assert response.status == 200 and response.header("Content-Type") == attachment["content_type"]


def test_edit_report_rerenders_the_page(replica: Replica) -> None:
    world = build_world(0)
    report = next(r for r in world.reports if r.site == "hy")
    world.edit_report(report.url, title=report.title + "（更正）")
    page = world.handle("GET", HY, report.url.split(HY, 1)[1]).body.decode("utf-8")
    assert report.title + "（更正）" in page


def test_large_scale_has_enough_pages() -> None:
    assert build_world(0, "large").page_count() >= 5000


# -- render_html -----------------------------------------------------------------------------------------------------


def grid(table: lxml.html.HtmlElement) -> list[list[tuple[int, str]]]:
    """Expand rowspan/colspan: each row as [(id of the source cell, text)] by column position."""
    rows: list[list[tuple[int, str]]] = []
    pending: dict[tuple[int, int], tuple[int, str]] = {}
    for r, tr in enumerate(table.xpath(".//tr")):
        row: list[tuple[int, str]] = []
        cells = iter(tr.xpath("./td"))
        c = 0
        while True:
            if (r, c) in pending:
                row.append(pending.pop((r, c)))
                c += 1
                continue
            td = next(cells, None)
            if td is None:
                break
            text = td.text_content().replace("\xa0", "").strip()
            for dr in range(int(td.get("rowspan", 1))):
                for dc in range(int(td.get("colspan", 1))):
                    if dr == 0 and dc == 0:
                        continue
                    pending[(r + dr, c + dc)] = (id(td), text)
            row.append((id(td), text))
            row += [(id(td), text)] * (int(td.get("colspan", 1)) - 1)
            c += int(td.get("colspan", 1))
        rows.append(row)
    return rows


def read_back(markup: str, gen: str) -> dict[str, list[list[str]]]:
    """The value cells of each table by section: distinct source cells after the label columns."""
    tables = lxml.html.fromstring(f"<div>{markup}</div>").xpath("//table")
    out: dict[str, list[list[str]]] = {"sec2": [], "sec3": [], "sec4": []}
    for table in tables:
        kind = table.get("class")
        for row in grid(table):
            distinct = [text for i, (cell, text) in enumerate(row) if i == 0 or row[i - 1][0] != cell]
            out[kind].append(distinct)
    return out


def printed(value: object) -> str:
    return "" if value is None else str(value)


@pytest.mark.parametrize("case", range(12))
def test_render_html_round_trips_through_a_grid(case: int) -> None:
    rng = random.Random(case)
    tables: StatTables = seed_tables("001") if case == 0 else random_tables(rng, "G1" if case % 2 else "G2")
    read = read_back(render_html(tables, rng if case % 3 else None), tables.generation)
    sec3_rows = [row for row in read["sec3"][3:]]
    expected_sec3 = [[printed(v) for v in cols.values()] for row, cols in tables.sec3.items()]
    for got, (row, want) in zip(sec3_rows, zip(tables.sec3, expected_sec3, strict=True), strict=True):
        want = tables.defects.get(f"sec3.{row}", want)
        assert got[-len(want) :] == want, row
    sec4 = read["sec4"][-1]
    want4 = [printed(v) for cols in tables.sec4.values() for v in cols.values()]
    assert sec4 == want4
    sec2_values = [
        row[1:]
        for row in read["sec2"]
        if row
        and row[0]
        in {
            "规章",
            "规范性文件",
            "行政规范性文件",
            "行政许可",
            "其他对外管理服务事项",
            "行政处罚",
            "行政强制",
            "行政事业性收费",
            "政府集中采购",
        }
    ]
    want2 = [[printed(v) for v in cols.values()] for rows in tables.sec2.values() for cols in rows.values()]
    assert sec2_values == want2
    assert sum(1 for _ in iter_cells(tables)) > 0
