"""The replica's newer hosts (archetypes C and D, a classic Hanweb, a TRS .shtml portal): they serve what
the manifest says, page by their CMS's idioms, mislabel their encodings as specified, print some titles
in traditional script, and are walkable from the home page by links alone."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from urllib.parse import urljoin, urlsplit

import lxml.html
import pytest

from tests.replica.fixture import Replica, running_replica
from tests.replica.hosts import START_URLS
from tests.replica.world import ALL_SITES, DEFAULT_SITES, NEW_SITES, build_world

_PAGER = re.compile(r'createPageHTML\(\s*countPage\s*,\s*\d+\s*,\s*"(\w+)"\s*,\s*"(\w+)"')
_COUNT = re.compile(r"countPage\s*=\s*(\d+)")
_FILE = re.compile(r"\.(docx?|pdf|wps|et|xlsx?|rar|jpe?g)$|/uploads/|/attachment/", re.IGNORECASE)


@pytest.fixture(scope="module")
def replica() -> Iterator[Replica]:
    with running_replica(seed=0, sites=ALL_SITES, traditional=True) as running:
        yield running


def fetch(replica: Replica, url: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": replica.proxy_url}))
    try:
        with opener.open(urllib.request.Request(url, method=method), timeout=20) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body.decode("gb18030")


def reports(replica: Replica, site: str) -> list[dict]:
    return [r for r in replica.manifest["reports"] if r["site"] == site]


# -- determinism and the default world --------------------------------------------------------------------


def test_the_default_world_is_the_two_seed_portals() -> None:
    world = build_world(0)
    assert world.hosts == {"www.wendeng.gov.cn", "www.hy.gov.cn"}
    assert set(world.manifest()["counts"]["bodies"]) == set(DEFAULT_SITES)


def test_new_hosts_are_deterministic_and_the_seed_changes_them() -> None:
    def snapshot(seed: int) -> dict:
        world = build_world(seed, sites=NEW_SITES)
        return {key: page.body for key, page in world.pages.items()}

    first, again, other = snapshot(0), snapshot(0), snapshot(3)
    assert first == again
    paths = lambda pages: {path for _, path in pages}  # noqa: E731
    assert len(paths(first) ^ paths(other)) > len(first) // 2  # other ids and paths
    m0, m3 = build_world(0, sites=NEW_SITES).manifest(), build_world(3, sites=NEW_SITES).manifest()
    assert m0["counts"] != m3["counts"]
    assert {r["published"] for r in m0["reports"]} != {r["published"] for r in m3["reports"]}


def test_unknown_site_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown replica sites"):
        build_world(0, sites=("nowhere",))


# -- serving what the manifest says ----------------------------------------------------------------------------


@pytest.mark.parametrize("site", NEW_SITES)
def test_every_report_page_is_served_with_its_title(replica: Replica, site: str) -> None:
    found = reports(replica, site)
    assert len(found) >= 20
    for report in found:
        status, _, body = fetch(replica, report["url"])
        assert status == 200, report["url"]
        assert report["title"] in decode(body)


@pytest.mark.parametrize("site", NEW_SITES)
def test_every_attachment_is_there_without_building_it(replica: Replica, site: str) -> None:
    world = replica.world
    for report in reports(replica, site):
        for attachment in report["attachments"]:
            parts = urlsplit(attachment["url"])
            assert (parts.hostname, parts.path) in world.lazy, attachment["url"]


def test_noise_is_listed_and_never_a_report(replica: Replica) -> None:
    noise = {n["url"] for n in replica.manifest["noise"] if n["site"] in NEW_SITES}
    wanted = {u for r in replica.manifest["reports"] for u in r["urls"]}
    assert len(noise) > 100 and not noise & wanted


# -- walking from the home page --------------------------------------------------------------------------------


def _links(url: str, text: str) -> list[str]:
    tree = lxml.html.fromstring(text)
    found = [urljoin(url, href) for href in tree.xpath("//a/@href")]
    pager, count = _PAGER.search(text), _COUNT.search(text)
    if pager and count:  # TRS: the pages exist as NAME.html, NAME_1.html, … NAME_{count-1}.html
        stem, ext = pager.groups()
        found += [
            urljoin(url, f"{stem}_{n}.{ext}" if n else f"{stem}.{ext}") for n in range(int(count.group(1)))
        ]
    return found


def _walk(get: Callable[[str], tuple[int, dict[str, str], bytes]], start: str, limit: int = 3000) -> set[str]:
    host, seen, queue = urlsplit(start).hostname, {start}, [start]
    while queue and len(seen) < limit:
        url = queue.pop()
        status, headers, body = get(url)
        if status != 200 or "html" not in headers.get("Content-Type", ""):
            continue
        for link in _links(url, decode(body)):
            link = link.split("#")[0]
            if urlsplit(link).hostname == host and link not in seen and not _FILE.search(link):
                seen.add(link)
                queue.append(link)
    return seen


@pytest.mark.parametrize("site", NEW_SITES)
def test_every_report_is_reachable_from_the_start_url_by_links(replica: Replica, site: str) -> None:
    seen = _walk(lambda url: fetch(replica, url), START_URLS[site])
    assert [r["url"] for r in reports(replica, site) if r["url"] not in seen] == []


def test_another_seed_is_walkable_too() -> None:
    world = build_world(7, sites=NEW_SITES)

    def get(url: str) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        answer = world.handle("GET", parts.hostname, parts.path + (f"?{parts.query}" if parts.query else ""))
        return answer.status, dict(answer.headers), answer.body

    manifest = world.manifest()
    for site in NEW_SITES:
        seen = _walk(get, START_URLS[site])
        assert [r["url"] for r in manifest["reports"] if r["site"] == site and r["url"] not in seen] == []
    assert world.crawl_pages()["lists"] == sum(world.columns[f"{s}_style"].list_pages() for s in NEW_SITES)


@pytest.mark.parametrize("site", NEW_SITES)
def test_the_home_page_leads_to_the_nianbao_by_link_text(replica: Replica, site: str) -> None:
    url, texts, visited = START_URLS[site], [], set()
    for _ in range(3):
        visited.add(url)
        tree = lxml.html.fromstring(decode(fetch(replica, url)[2]))
        texts += [a.text_content().strip() for a in tree.xpath("//a")]
        nianbao = [a for a in tree.xpath("//a") if "年报" in a.text_content()]
        if nianbao:
            assert fetch(replica, urljoin(url, nianbao[0].get("href")))[0] == 200
            return
        steps = [
            urljoin(url, a.get("href"))
            for a in tree.xpath("//a")
            if a.text_content().strip() in ("政务公开", "政府信息公开")
        ]
        url = next(u for u in steps if u not in visited)
    raise AssertionError(f"no 年报 link within three steps: {texts}")


# -- traditional script --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("site", ALL_SITES)
def test_some_titles_are_in_traditional_script_and_the_agency_is_not(replica: Replica, site: str) -> None:
    marked = [r for r in reports(replica, site) if "title in traditional script" in r["notes"]]
    assert marked
    for report in marked:
        assert re.search("報|縣|區|辦|開|鎮|鄉|資|財", report["title"]), report["title"]
        assert not re.search("報|縣|區|辦|開|鎮|鄉", report["agency"])
    # lists show them too (not only their own pages): some on a first list page, a static page
    host = urlsplit(marked[0]["url"]).hostname
    own = {urlsplit(r["url"]).path: r["title"] for r in marked}
    lists = [p.body for (h, path), p in replica.world.pages.items() if h == host and path not in own]
    assert any(title in decode(body) for title in own.values() for body in lists)


# -- archetype C: attachments only ----------------------------------------------------------------------------------


def test_year_tree_reports_are_attachments_only(replica: Replica) -> None:
    found = reports(replica, "bypc")
    assert all(r["table_render"] == "attachment_only" and r["file_tables"] for r in found)
    assert any("folder ≠ report year" in " ".join(r["notes"]) for r in found)
    for report in found[:5]:
        assert "详见附件" in decode(fetch(replica, report["url"])[2])
    formats = {a["format"] for r in found for a in r["attachments"]}
    assert {"docx", "pdf", "wps", "jpg"} <= formats
    scans = [r for r in found if [a["format"] for a in r["attachments"]] == ["jpg"]]
    assert len(scans) == 1 and scans[0]["numbers_from"] == "ocr"


def test_year_tree_link_traps(replica: Replica) -> None:
    urls = [a["url"] for r in reports(replica, "bypc") for a in r["attachments"]]
    assert any(u.endswith(".PDF") for u in urls)
    bare = [u for u in urls if not re.search(r"\.\w+$", u.rsplit("/", 1)[1])]
    assert len(bare) == 1
    docx = next(r for r in reports(replica, "bypc") for a in r["attachments"] if a["url"] == bare[0])
    status, headers, body = fetch(replica, bare[0])
    assert status == 200 and "filename*=UTF-8''" in headers["Content-Disposition"]
    assert body[:2] == b"PK" and docx["attachments"][0]["filename"].endswith(".docx")
    broken = next(r for r in reports(replica, "bypc") if "one attachment link answers 404" in r["notes"])
    page = decode(fetch(replica, broken["url"])[2])
    linked = {
        urljoin(broken["url"], h)
        for h in lxml.html.fromstring(page).xpath("//a/@href")
        if "/attachment/" in h
    }
    dead = linked - {a["url"] for a in broken["attachments"]}
    assert len(dead) == 1 and fetch(replica, dead.pop())[0] == 404


def test_year_tree_numbered_pages_and_last_page(replica: Replica) -> None:
    column = reports(replica, "bypc")[0]["column_url"]
    text = decode(fetch(replica, column)[2])
    last = int(re.search(r'<a href="(\d+)\.html">尾页</a>', text).group(1))
    assert last >= 2 and fetch(replica, urljoin(column, f"{last}.html"))[0] == 200
    assert fetch(replica, urljoin(column, f"{last + 1}.html"))[0] == 404
    assert fetch(replica, urljoin(column, "./"))[2] == fetch(replica, column)[2]  # the folder is page 1


# -- archetype D: legacy GBK DedeCMS ---------------------------------------------------------------------------------


def test_dede_pages_are_gbk_under_misleading_labels(replica: Replica) -> None:
    found = reports(replica, "xincai")
    status, headers, body = fetch(replica, found[0]["column_url"])
    assert status == 200 and headers["Content-Type"] == "text/html"
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    traps = {r["encoding"]["trap"] for r in found if r.get("encoding")}
    assert {"wrong_header", "no_charset_header"} <= traps and len(found) == sum(
        1 for r in found if r.get("encoding")
    )
    wrong = next(r for r in found if r["encoding"]["trap"] == "wrong_header")
    assert fetch(replica, wrong["url"])[1]["Content-Type"] == "text/html; charset=utf-8"
    gbk_only = next(r for r in found if "镕" in r["agency"])
    raw = fetch(replica, gbk_only["url"])[2]
    assert "镕".encode("gbk") in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("gb2312")


def test_dede_list_paging_and_markup(replica: Replica) -> None:
    column = reports(replica, "xincai")[0]["column_url"]
    assert re.search(r"/list_\d+_1\.html$", column)
    first = fetch(replica, column)[2]
    assert fetch(replica, column.rsplit("/", 1)[0] + "/")[2] == first  # page 1 is also the channel index
    text = first.decode("gbk")
    pages = int(re.search(r"共 <strong>(\d+)</strong>页", text).group(1))
    stem = column.removesuffix("1.html")
    assert (
        fetch(replica, f"{stem}{pages}.html")[0] == 200
        and fetch(replica, f"{stem}{pages + 1}.html")[0] == 404
    )
    assert '<font color="#333333"><a href="../' in text and "</font>" not in text
    assert "年" in decode(fetch(replica, reports(replica, "xincai")[0]["url"])[2]).split("发布时间：")[1][:6]


def test_dede_report_posted_twice_with_a_correction(replica: Replica) -> None:
    """The same body under two ids, the later titled 「…（更正）」: one report with two URLs."""
    twice = [r for r in reports(replica, "xincai") if any(d["kind"] == "repost_correction" for d in r["duplicates"])]
    assert len(twice) == 1
    original, again = twice[0]["url"], twice[0]["duplicates"][0]["url"]
    assert twice[0]["duplicates"][0]["duplicate_of"] == original
    assert int(again.rsplit("/", 1)[1].split(".")[0]) > int(original.rsplit("/", 1)[1].split(".")[0])
    page = lambda url: decode(fetch(replica, url)[2])  # noqa: E731
    assert twice[0]["title"] + "（更正）" in page(again) and "（更正）" not in page(original)
    body = lambda url: page(url).split('<div class="content">')[1]  # noqa: E731
    assert body(original) == body(again)
    assert not [r for r in replica.manifest.get("superseded", []) if r["site"] == "xincai"]


def test_dede_doc_and_rar_attachments(replica: Replica) -> None:
    formats = {a["format"]: a for r in reports(replica, "xincai") for a in r["attachments"]}
    assert {"doc", "rar"} <= set(formats)
    assert re.search(r"/uploads/soft/\d{6}/\d+-\d{10}\.rar$", formats["rar"]["url"])
    status, _, body = fetch(replica, formats["rar"]["url"])
    assert status == 200 and body.startswith(b"Rar!")


# -- the classic Hanweb and the TRS .shtml variants -------------------------------------------------------------------


def test_classic_hanweb_page_num_really_pages(replica: Replica) -> None:
    long = max(
        {r["column_url"] for r in reports(replica, "anding")},
        key=lambda u: int(re.search(r"共(\d+)页", decode(fetch(replica, u)[2])).group(1)),
    )
    text = decode(fetch(replica, long)[2])
    pages = int(re.search(r"共(\d+)页", text).group(1))
    nxt = re.search(r'<a href="([^"]+pageNum=2)">下一页</a>', text).group(1)
    second = decode(fetch(replica, urljoin(long, nxt))[2])
    assert second != text and "当前第2页" in second
    assert fetch(replica, urljoin(long, nxt.replace("pageNum=2", f"pageNum={pages + 1}")))[0] == 404
    article = decode(fetch(replica, reports(replica, "anding")[0]["url"])[2])
    assert "信息工作年度报告" in article and re.search(r"发布日期:\d{4}-\d\d-\d\d \d\d:\d\d", article)


def test_trs_shtml_lists_and_articles(replica: Replica) -> None:
    found = reports(replica, "jiaokou")
    assert all(r["url"].endswith(".shtml") and r["column_url"].endswith("/index.html") for r in found)
    column = found[0]["column_url"]
    text = decode(fetch(replica, column)[2])
    count = int(_COUNT.search(text).group(1))
    assert '"index", "html"' in text
    assert fetch(replica, column.replace("index.html", f"index_{count}.html"))[0] == 404
    if count > 1:
        assert fetch(replica, column.replace("index.html", f"index_{count - 1}.html"))[0] == 200


# -- mutations reach the new hosts too ---------------------------------------------------------------------------------


def test_edit_and_publish_on_new_hosts() -> None:
    world = build_world(0, sites=NEW_SITES)
    report = next(r for r in world.current_reports() if r.site == "jiaokou")
    world.edit_report(report.url, title=report.title + "（修订）")
    path = urlsplit(report.url).path
    assert "（修订）" in world.pages[("www.jiaokou.gov.cn", path)].body.decode()
    published = world.publish_year(2025, bodies=8)
    assert {r.site for r in published} == set(NEW_SITES)
    for new in published:
        parts = urlsplit(new.url)
        assert (parts.hostname, parts.path) in world.pages


def test_the_dede_host_can_sit_behind_a_jiasule_like_gate() -> None:
    from tests.replica.antibot import AntiBot

    world = build_world(0, sites=("xincai",))
    world.gate = AntiBot.parse("xincai=521")
    first = world.handle("GET", "www.xincai.gov.cn", "/a/zhengfuxinxigongkai/zfxxgknb/")
    assert first.status == 521 and "__jsluid_h" in (first.header("Set-Cookie") or "")
