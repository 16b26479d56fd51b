"""The replica as a moving target: large scale, re-crawl mutations, and honest HTTP caching (304s)."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Iterator
from urllib.parse import urljoin

import pytest

from tests.replica.fixture import Replica, running_replica
from tests.replica.world import HY, WENDENG, Report, World, build_world

G0_HEADINGS = ("一、概述", "二、主动公开政府信息情况", "四、政府信息公开的收费及减免情况")


def path_of(url: str) -> tuple[str, str]:
    host = HY if HY in url else WENDENG
    return host, url.split(host, 1)[1]


def get(world: World, url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    response = world.handle("GET", *path_of(url), headers=headers)
    return response.status, {k.lower(): v for k, v in response.headers}, response.body


def listed_hrefs(world: World, list_url: str) -> list[str]:
    """Report links of a list page in order, absolute: Hanweb CDATA records or TRS a[title]."""
    _, _, body = get(world, list_url)
    found = re.findall(r'<a href="([^"]+)" title="[^"]*" target="_blank">', body.decode("utf-8"))
    return [urljoin(list_url, h) for h in found]


def listed_titles(world: World, report: Report) -> str:
    """All list entries of the report's column, every page (Hanweb: all records), as one text."""
    if report.site == "wendeng":
        column_id = int(re.search(r"/col/col(\d+)/", report.column_url).group(1))
        return "".join(world.columns["hanweb"][column_id]["records"])
    pages, number = [], 0
    while (page := get(world, trs_list_url(report.column_url, number)))[0] == 200:
        pages.append(page[2].decode("utf-8"))
        number += 1
    return "".join(pages)


def trs_list_url(column_url: str, page: int) -> str:
    return column_url if page == 0 else column_url.replace("list.html", f"list_{page}.html")


# -- large scale ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def large() -> World:
    return build_world(0, "large")


def test_large_world_has_2000_reports_over_2008_to_2024(large: World) -> None:
    reports = large.manifest()["reports"]
    assert len(reports) >= 2000
    assert {r["year"] for r in reports} == set(range(2008, 2025))
    assert {r["generation"] for r in reports if r["year"] <= 2018} == {"G0"}
    assert Counter(r["body_type"] for r in reports)["事业单位"] >= 1000
    one_per_body_year = {(r["site"], r["agency"], r["year"]) for r in reports}
    assert len(one_per_body_year) == len(reports)
    institutions = {r["agency"] for r in reports if r["body_type"] == "事业单位"}
    assert len(institutions) >= 100
    assert all(
        any(n.endswith(end) for n in institutions) for end in ("医院", "小学", "中学", "中心", "卫生院")
    )
    assert all(name.startswith(("威海市文登区", "海原县")) for name in institutions)


def test_large_world_needs_5000_pages_from_its_structure(large: World) -> None:
    """Column pages + data-proxy windows + TRS list pages + report postings, counted from the data."""
    hanweb = large.columns["hanweb"].values()
    column_pages = len(large.columns["hanweb"])
    windows = sum(max(0, -(-(len(c["records"]) - 45) // 45)) for c in hanweb)
    trs_lists = [p for h, p in large.pages if h == HY and re.search(r"/list(_\d+)?\.html$", p)]
    postings = sum(1 + sum(d["kind"] != "alias" for d in r.duplicates) for r in large.current_reports())
    assert column_pages + windows + len(trs_lists) + postings >= 5000
    assert large.crawl_pages() == {
        "reports": postings,
        "lists": column_pages + len(trs_lists),
        "dataproxy": windows,
    }


def test_large_g0_report_has_the_old_sections(large: World) -> None:
    report = next(r for r in large.current_reports() if r.year == 2010 and r.site == "wendeng")
    _, _, page = get(large, report.url)
    text = page.decode("utf-8")
    assert all(heading in text for heading in G0_HEADINGS) and not re.search(r"<table class=\"sec\d", text)


def test_large_world_lists_every_report(large: World) -> None:
    listed = {
        urljoin(f"http://{WENDENG}/", re.search(r'href="([^"]+)"', record).group(1))
        for column in large.columns["hanweb"].values()
        for record in column["records"]
    }
    for column in large.columns["trs_state"]["columns"].values():
        pages = -(-len(column.items) // column.per_page) or 1
        for page in range(pages):
            listed |= set(listed_hrefs(large, trs_list_url(f"http://{HY}{column.path}list.html", page)))
    assert [r.url for r in large.current_reports() if r.url not in listed] == []


# -- mutations -------------------------------------------------------------------------------------------------


def html_report(world: World, site: str) -> Report:
    return next(
        r for r in world.current_reports() if r.site == site and r.table_render == "html" and not r.seed
    )


@pytest.mark.parametrize("site", ["wendeng", "hy"])
def test_edit_numbers_changes_tables_text_and_validators(site: str) -> None:
    world = build_world(0)
    report = html_report(world, site)
    _, before_headers, before = get(world, report.url)
    tables = world.edit_numbers(report.url, seed=1)
    assert tables is not None and tables != report.tables
    _, after_headers, after = get(world, report.url)
    assert after != before and after_headers["etag"] != before_headers["etag"]
    edited = world.report(report.url)
    assert edited.tables == tables and edited.modified is not None and edited.modified > report.published
    received = tables.sec3["new_received"]["total"]
    sentence = f"共收到政府信息公开申请{received}件" if received else "未收到政府信息公开申请"
    assert sentence in after.decode("utf-8")
    manifest = next(r for r in world.manifest()["reports"] if r["url"] == report.url)
    assert manifest["tables"]["sec3"]["new_received"]["total"] == received
    assert manifest["modified"] > manifest["published"]


def test_edit_numbers_refuses_image_only_tables() -> None:
    world = build_world(0)
    report = next(r for r in world.current_reports() if r.table_render == "image_only")
    with pytest.raises(ValueError, match="images"):
        world.edit_numbers(report.url)


def test_publish_year_lists_new_reports_first_and_pushes_older_ones_back() -> None:
    world = build_world(0)
    before = {r["url"] for r in world.manifest()["reports"]}
    first_pages = {}
    for report in world.current_reports():
        first_pages.setdefault(report.column_url, listed_hrefs(world, report.column_url))
    new = world.publish_year(2025, bodies=6)
    assert len(new) == 6 and {r.site for r in new} == {"wendeng", "hy"}
    manifest = world.manifest()
    assert {r["url"] for r in manifest["reports"]} - before == {r.url for r in new}
    for report in new:
        assert report.year == 2025 and report.published.year == 2026
        hrefs = listed_hrefs(world, report.column_url)
        old = first_pages[report.column_url]
        assert hrefs[0] == report.url and hrefs[1 : len(old)] == old[: len(old) - 1]
        if report.site == "hy" and len(old) == len(hrefs):  # a full first page: its last entry moved on
            assert listed_hrefs(world, trs_list_url(report.column_url, 1))[0] == old[-1]


def test_publish_year_moves_the_hanweb_group_boundary() -> None:
    world = build_world(0)
    report = world.publish_year(2025, bodies=2)[1]
    assert report.site == "wendeng"
    column_id = int(re.search(r"/col/col(\d+)/", report.column_url).group(1))
    records = world.columns["hanweb"][column_id]["records"]
    unit = world.columns["hanweb"][column_id]["unit_id"]
    assert report.url.removeprefix(f"http://{WENDENG}") in records[0]
    form = f"columnid={column_id}&unitid={unit}".encode()
    window = world.handle(
        "POST", WENDENG, "/module/web/jpage/dataproxy.jsp?startrecord=46&endrecord=90", form
    )
    assert records[45].encode() in window.body  # the old 45th record now opens the second group


def test_post_correction_supersedes_the_original() -> None:
    world = build_world(0)
    for site in ("wendeng", "hy"):
        original = html_report(world, site)
        correction = world.post_correction(original.url)
        assert correction.title == original.title + "（更正）"
        assert correction.published > original.published and correction.tables != original.tables
        assert correction.column_url == original.column_url and correction.url != original.url
        assert listed_hrefs(world, original.column_url)[0] == correction.url
        assert original.url.rsplit("/", 1)[1] in listed_titles(world, original)  # still listed, further down
        assert get(world, original.url)[0] == 200
        assert (correction.title + "</").encode() not in get(world, original.url)[2]
    manifest = world.manifest()
    keys = [(r["site"], r["agency"], r["year"]) for r in manifest["reports"]]
    assert len(keys) == len(set(keys))  # still one report per body and year: the correction
    superseded = {r["url"]: r for r in manifest["superseded"]}
    current = {r["url"]: r for r in manifest["reports"]}
    assert len(superseded) == 2
    for url, old in superseded.items():
        assert url not in current and current[old["superseded_by"]]["corrects"] == url


def test_corrected_hanweb_alias_shows_the_correction() -> None:
    world = build_world(0)
    original = html_report(world, "wendeng")
    alias = next(d["url"] for d in original.duplicates if d["kind"] == "alias")
    correction = world.post_correction(original.url)
    assert all(d["kind"] != "alias" for d in world.report(original.url).duplicates)
    assert any(d["url"] == alias for d in correction.duplicates)
    assert correction.title in get(world, alias)[2].decode("utf-8")


@pytest.mark.parametrize("site", ["wendeng", "hy"])
def test_edit_report_rerenders_list_records(site: str) -> None:
    world = build_world(0)
    report = html_report(world, site)
    assert f'title="{report.title}（修订版）"' not in listed_titles(world, report)
    world.edit_report(report.url, title=report.title + "（修订版）")
    assert f'title="{report.title}（修订版）"' in listed_titles(world, report)


# -- HTTP caching through the proxy ---------------------------------------------------------------------------


@pytest.fixture
def replica() -> Iterator[Replica]:
    with running_replica(seed=0) as running:
        yield running


def fetch(replica: Replica, url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": replica.proxy_url}))
    try:
        with opener.open(urllib.request.Request(url, headers=headers), timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_every_kind_of_page_has_validators(replica: Replica) -> None:
    report = html_report(replica.world, "hy")
    column_id = replica.world.columns["hanweb_columns"]["landing"]
    for url in (
        report.url,
        report.column_url,
        f"http://{WENDENG}/col/col{column_id}/index.html",
        f"http://{WENDENG}/robots.txt",
        f"http://{WENDENG}/module/web/jpage/dataproxy.jsp?page=1&columnid=1&unitid=1",
    ):
        status, headers, _ = fetch(replica, url)
        assert status == 200 and headers["Last-Modified"].endswith(" GMT") and headers["ETag"].startswith('"')


def test_conditional_get_answers_304_until_the_page_changes(replica: Replica) -> None:
    report = html_report(replica.world, "wendeng")
    _, headers, body = fetch(replica, report.url)
    etag, modified = headers["ETag"], headers["Last-Modified"]
    status, again, empty = fetch(replica, report.url, **{"If-None-Match": etag})
    assert (status, empty, again["ETag"]) == (304, b"", etag)
    assert fetch(replica, report.url, **{"If-Modified-Since": modified})[0] == 304
    assert fetch(replica, report.url, **{"If-None-Match": '"other"', "If-Modified-Since": modified})[0] == 200
    replica.world.edit_numbers(report.url, seed=5)
    status, changed, new_body = fetch(replica, report.url, **{"If-None-Match": etag})
    assert status == 200 and new_body != body and changed["ETag"] != etag
    assert fetch(replica, report.url, **{"If-Modified-Since": modified})[0] == 200
    assert fetch(replica, report.url, **{"If-Modified-Since": changed["Last-Modified"]})[0] == 304


def test_list_page_validators_change_when_a_report_is_published(replica: Replica) -> None:
    report = replica.world.publish_year(2025, bodies=1)[0]
    _, headers, _ = fetch(replica, report.column_url)
    assert fetch(replica, report.column_url, **{"If-Modified-Since": headers["Last-Modified"]})[0] == 304
    replica.world.post_correction(report.url)
    status, changed, _ = fetch(replica, report.column_url, **{"If-Modified-Since": headers["Last-Modified"]})
    assert status == 200 and changed["ETag"] != headers["ETag"]
    assert fetch(replica, report.column_url, **{"If-None-Match": changed["ETag"]})[0] == 304


def test_last_modified_is_the_publish_time_in_gmt(replica: Replica) -> None:
    report = next(r for r in replica.world.current_reports() if r.seed == "002")
    _, headers, _ = fetch(replica, report.url)
    assert headers["Last-Modified"] == "Mon, 16 Jan 2023 07:32:10 GMT"  # 15:32:10 Beijing time
