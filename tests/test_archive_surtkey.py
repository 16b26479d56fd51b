"""crawler.archive.surtkey.fast_surt equals surt.surt, on crawl-like and on hostile URLs."""

from __future__ import annotations

import random

import pytest
import surt

from crawler.archive.surtkey import _PLAIN, fast_surt

HOSTS = ["www.county3.gov.cn", "XXGK.Example.gov.cn", "www2.x.cn", "a..b.cn", ".lead.cn", "trail.cn.",
         "127.0.0.1", "0x7f.1", "10.0.0.7", "xn--fiqs8s.cn", "h-y.cn", "-", "a", "www.", "http", "https"]  # fmt: skip
SEGMENTS = 4 * ["art", "2024", "Index.HTML", "art_1_22.html"] + ["art", "2024", "Index.HTML", "art_1_22.html", ".", "..", "", "%E6%8A%A5", "%2F", "%25", "a%20b",
            "A B", "~u", "x;jsessionid=1", "(S(abcdefghijklmnopqrstuvwx))", "p.aspx", "报告", "a#b", "q?x", "\t", "'\"<>"]  # fmt: skip
PAIRS = ["b=2", "a=1", "A=1", "x", "x=", "=", "", "jsessionid=0123456789abcdef0123456789ABCDEF", "sid=" + "a" * 32,
         "cfid=1&cftoken=2", "q=%E6%8A%A5", "q=%25%32", "t=报告", "p=a+b", "z=Y&y=Z"]  # fmt: skip


def random_url(rng: random.Random, odd: float = 0.1) -> str:
    """A URL from the pieces above; ``odd`` is the chance of each oddity surt.surt handles alone."""
    scheme = rng.choice(["http", "https", "HTTP", "ftp", "dns"] if rng.random() < odd * 3 else ["http", "https"])
    host = rng.choice(HOSTS)
    if rng.random() < odd:
        host = rng.choice(["user:pw@", "u@"]) + host
    if rng.random() < odd:
        host += rng.choice([":80", ":443", ":8080", ":", ":08"])
    path = "/" + "/".join(rng.choices(SEGMENTS, k=rng.randint(0, 5)))
    if rng.random() < 0.1:
        path = rng.choice(["", "//", "/./", "//x//y/"])
    url = f"{scheme}://{host}{path}"
    roll = rng.random()
    if roll < 0.5:
        url += "?" + "&".join(rng.choices(PAIRS, k=rng.randint(0, 4)))
    if rng.random() < odd:
        url += rng.choice(["#top", "#", "?", " ", "\n"])
    return url


CRAWL_LIKE = [
    "http://www.county3.gov.cn/art/2024/1/19/art_1229_5481.html",
    "http://www.wendeng.gov.cn/col/col182996/index.html?uid=1&pageNum=2",
    "https://xxgk.example.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45&perpage=15",
    "http://xxgk.example.gov.cn/art/%E6%8A%A5%E5%91%8A.html?b=2&a=1",
    "http://xxgk.example.gov.cn/",
    "http://xxgk.example.gov.cn/Dir/",
]


@pytest.mark.parametrize("url", CRAWL_LIKE)
def test_crawl_urls(url: str) -> None:
    assert fast_surt(url) == surt.surt(url)


@pytest.mark.parametrize("odd", [0.0, 0.1, 0.5])
def test_many_random_urls(odd: float) -> None:
    rng = random.Random(17)
    for _ in range(20_000):
        url = random_url(rng, odd)
        assert fast_surt(url) == surt.surt(url), url


def test_most_plain_urls_take_the_short_way() -> None:
    rng = random.Random(5)
    urls = [random_url(rng, 0.0) for _ in range(2_000)]
    assert sum(_PLAIN.fullmatch(url) is not None for url in urls) > 1_000
