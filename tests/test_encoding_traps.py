"""Every encoding trap of the replica (sites.md §5.2, §6.5) decodes to the right text.

The pages are served by the replica world as the crawl gets them (GBK bytes under no charset, a
wrong ``charset=utf-8`` header, or the malformed ``<meta httpequiv="ContentType" …>``); Scrapy
decides an encoding from the headers as in the crawl, and the crawl's own stages (normalise →
extract) must still read the title, the body's name with its GBK-only character (喆/堃/镕), and text.
"""

from __future__ import annotations

import re

import pytest
from scrapy.http import HtmlResponse

from crawler.extract.page import decode_html, parse_page
from crawler.extract.report import report_from_page
from pipelines.normalise import normalise_page
from tests.replica.world import HY, WENDENG, World, build_world

GBK_ONLY = re.compile("[镕堃喆]")


@pytest.fixture(scope="module")
def world() -> World:
    return build_world(0, encoding_traps=True)


def trap_reports(world: World) -> list[dict]:
    return [r for r in world.manifest()["reports"] if r.get("encoding")]


def fetched(world: World, url: str) -> HtmlResponse:
    """The page as Scrapy hands it to the spider: bytes, headers, and the encoding Scrapy chose."""
    host = HY if HY in url else WENDENG
    served = world.handle("GET", host, url.split(host, 1)[1])
    assert served.status == 200
    return HtmlResponse(url, status=200, headers=dict(served.headers), body=served.body)



TRAPS = trap_reports(build_world(0, encoding_traps=True))


def test_there_are_traps_of_every_kind_on_both_sites() -> None:
    kinds = {(r["site"], r["encoding"]["trap"]) for r in TRAPS}
    assert kinds == {(s, t) for s in ("wendeng", "hy") for t in ("no_charset_header", "wrong_header", "malformed_meta")}


@pytest.mark.parametrize("expected", TRAPS, ids=lambda r: f"{r['site']}-{r['year']}-{r['encoding']['trap']}")
def test_trap_page_decodes_to_the_right_title_body_and_text(world: World, expected: dict) -> None:
    response = fetched(world, expected["url"])
    page, text = normalise_page(response.body, response.url, response.encoding)
    report = report_from_page(page, text, url=response.url)
    assert page.title == expected["title"]
    assert GBK_ONLY.search(page.title)
    assert report.agency == expected["agency"]
    assert report.year == expected["year"]
    assert "政府信息公开" in text and "\ufffd" not in text


@pytest.mark.parametrize("expected", TRAPS, ids=lambda r: f"{r['site']}-{r['year']}-{r['encoding']['trap']}")
def test_trap_list_page_titles_read_right_in_scrapy(world: World, expected: dict) -> None:
    """The listing (where the spider reads report titles, in markup or in Hanweb's CDATA records)
    reads right as Scrapy decodes it: no charset header, GBK bytes."""
    response = fetched(world, expected["column_url"])
    assert expected["agency"] in response.text and "\ufffd" not in response.text


def test_a_utf8_header_over_gbk_bytes_is_not_believed() -> None:
    body = '<html><head><meta charset="gbk"><title>喆</title></head><body>堃</body></html>'.encode("gbk")
    assert decode_html(body, "utf-8") == body.decode("gb18030")


def test_a_latin1_label_is_not_believed_for_chinese_bytes() -> None:
    body = "<p>威海市文登区堃山小学</p>".encode("gbk")
    assert parse_page(body, encoding="iso-8859-1").body_text.strip() == "威海市文登区堃山小学"


def test_a_correct_header_still_wins() -> None:
    body = "<html><head><meta charset=gbk></head><body><p>镕</p></body></html>".encode()
    assert decode_html(body, "utf-8") == body.decode("utf-8")
