"""The replica misbehaving on purpose: network faults, anti-bot challenges, encoding traps.

Every socket here is loopback and every client timeout bounded; nothing is timed.
"""

from __future__ import annotations

import http.client
import re
import socket
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.replica.antibot import RS_COOKIE, RS_SCRIPT, AntiBot
from tests.replica.faults import KINDS, FaultPlan, request_key
from tests.replica.fixture import Replica, running_replica
from tests.replica.world import HY, WENDENG, World, build_world

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36"
HY_INDEX = f"http://{HY}/xxgk/index.html"


def fetch(
    replica: Replica, url: str, timeout: float = 10, method: str = "GET", **headers: str
) -> tuple[int, dict[str, str], bytes]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": replica.proxy_url}))
    request = urllib.request.Request(url, headers=headers, method=method)
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def outcome(replica: Replica, url: str, timeout: float = 5) -> str:
    """What a client saw: the status, or the kind of failure."""
    try:
        return str(fetch(replica, url, timeout)[0])
    except TimeoutError:
        return "timeout"
    except urllib.error.URLError as error:
        return (
            "timeout"
            if isinstance(error.reason, (TimeoutError, socket.timeout))
            else type(error.reason).__name__
        )
    except (ConnectionResetError, http.client.IncompleteRead, http.client.RemoteDisconnected) as error:
        return type(error).__name__


def raw_get(replica: Replica, url: str, timeout: float = 5) -> tuple[bytes, str]:
    """(bytes received, how the stream ended): "eof" or "reset"; no HTTP client in between."""
    host, port = replica.proxy_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as sock:
        sock.sendall(f"GET {url} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
        received = b""
        try:
            while chunk := sock.recv(65536):
                received += chunk
        except ConnectionResetError:
            return received, "reset"
    return received, "eof"


def declared_and_actual(received: bytes) -> tuple[int, int]:
    head, _, body = received.partition(b"\r\n\r\n")
    return int(re.search(rb"Content-Length: (\d+)", head).group(1)), len(body)


@contextmanager
def faulty(rates: dict[str, float], **options: float) -> Iterator[Replica]:
    plan = FaultPlan(rates, seed=1, hang_seconds=2, drip_seconds=0.3, **options)  # type: ignore[arg-type]
    with running_replica(seed=0, faults=plan) as replica:
        yield replica


# -- the plan ---------------------------------------------------------------------------------------------------


def test_fault_decisions_are_a_function_of_seed_key_and_attempt() -> None:
    rates = {"5xx": 0.1, "timeout": 0.05, "reset": 0.02, "truncate": 0.02, "slow": 0.01}
    keys = [request_key("GET", WENDENG, f"/art/2023/1/{i}/art_1_{i}.html") for i in range(2000)]
    first = [FaultPlan(rates, seed=4).decide(k, 0) for k in keys]
    assert first == [FaultPlan(rates, seed=4).decide(k, 0) for k in keys]
    assert first != [FaultPlan(rates, seed=5).decide(k, 0) for k in keys]
    assert first != [FaultPlan(rates, seed=4).decide(k, 1) for k in keys]
    seen = {f for f in first if f}
    assert {"500", "502", "503", "timeout", "reset", "truncate", "slow"} <= seen
    assert 100 < sum(f is not None for f in first) < 500  # about a fifth of 2,000, as the rates say


def test_no_request_is_faulted_forever_and_robots_never() -> None:
    plan = FaultPlan({"5xx": 1.0}, seed=0)
    key = request_key("GET", HY, "/xxgk/index.html")
    assert [plan.next_fault(key) is not None for _ in range(5)] == [True, True, False, False, False]
    assert plan.decide(request_key("GET", HY, "/robots.txt"), 0) is None
    assert FaultPlan({"reset": 1.0}, faulty_attempts=1).decide(key, 1) is None


def test_fault_spec_parsing() -> None:
    plan = FaultPlan.parse("5xx=0.1,timeout=0.05,reset=0.02,truncate=0.02,slow=0.01", seed=9)
    assert plan.rates == {"5xx": 0.1, "timeout": 0.05, "reset": 0.02, "truncate": 0.02, "slow": 0.01}
    assert set(plan.rates) == set(KINDS) and plan.seed == 9
    with pytest.raises(ValueError, match="unknown"):
        FaultPlan.parse("flood=0.1")
    with pytest.raises(ValueError, match="sum"):
        FaultPlan.parse("5xx=0.7,reset=0.5")


# -- each kind, observed through the proxy ------------------------------------------------------------------------


def test_5xx_then_success() -> None:
    with faulty({"5xx": 1.0}) as replica:
        statuses = [fetch(replica, HY_INDEX)[0] for _ in range(3)]
    assert set(statuses[:2]) <= {500, 502, 503} and statuses[2] == 200


def test_timeout_is_the_clients_business_then_success() -> None:
    with faulty({"timeout": 1.0}, faulty_attempts=1) as replica:
        with pytest.raises((TimeoutError, socket.timeout, urllib.error.URLError)) as error:
            fetch(replica, HY_INDEX, timeout=0.5)
        assert "timed out" in str(error.value)
        assert fetch(replica, HY_INDEX)[0] == 200


def test_reset_mid_response() -> None:
    with faulty({"reset": 1.0}) as replica:
        received, ending = raw_get(replica, HY_INDEX)
        assert ending == "reset" and received.startswith(b"HTTP/1.1 200")
        assert outcome(replica, HY_INDEX) in ("ConnectionResetError", "IncompleteRead")
        assert outcome(replica, HY_INDEX) == "200"


def test_truncated_body() -> None:
    with faulty({"truncate": 1.0}) as replica:
        received, ending = raw_get(replica, HY_INDEX)
        declared, actual = declared_and_actual(received)
        assert ending == "eof" and 0 < actual < declared
        assert outcome(replica, HY_INDEX) == "IncompleteRead"
        assert outcome(replica, HY_INDEX) == "200"


def test_slow_drip_delivers_the_whole_body() -> None:
    with faulty({"slow": 1.0}) as replica:
        expected = replica.world.handle("GET", HY, "/xxgk/index.html").body
        status, _, body = fetch(replica, HY_INDEX, timeout=10)
    assert status == 200 and body == expected


def test_robots_txt_is_never_faulted() -> None:
    with faulty({"5xx": 0.5, "reset": 0.5}) as replica:
        assert [fetch(replica, f"http://{WENDENG}/robots.txt")[0] for _ in range(3)] == [200] * 3


def test_same_fault_seed_same_outcomes_and_retries_finish() -> None:
    rates = {"5xx": 0.3, "reset": 0.2, "truncate": 0.2}
    urls = [HY_INDEX, f"http://{WENDENG}/index.html", f"http://{WENDENG}/col/col79327/index.html"]
    urls += [f"http://{HY}/xxgk/zfxxgknb/list_{n}.html" for n in range(1, 4)]
    runs = []
    for _ in range(2):
        with faulty(rates) as replica:
            runs.append([[outcome(replica, url) for _ in range(3)] for url in urls])
    assert runs[0] == runs[1]
    assert any(attempts[0] != "200" for attempts in runs[0])  # faults did happen …
    assert all(attempts[-1] == "200" for attempts in runs[0])  # … and the third attempt always worked


# -- anti-bot challenges ----------------------------------------------------------------------------------------


@pytest.fixture
def guarded() -> Iterator[Replica]:
    with running_replica(seed=0, antibot=AntiBot.parse("wendeng=412,hy=405,hy=521:first", seed=0)) as replica:
        yield replica


def test_rs_412_on_columns_and_articles_until_the_cookie_is_set(guarded: Replica) -> None:
    report = next(r for r in guarded.world.current_reports() if r.site == "wendeng")
    status, headers, body = fetch(guarded, report.url, **{"User-Agent": BROWSER})
    text = body.decode()
    assert status == 412 and "$_ts" in text and f'src="{RS_SCRIPT}"' in text
    assert headers["Set-Cookie"].startswith("FSSBBIl1UgzbN7N80S=")
    assert fetch(guarded, f"http://{WENDENG}/index.html")[0] == 200  # only /col/ and /art/ are gated
    status, _, script = fetch(guarded, f"http://{WENDENG}{RS_SCRIPT}")
    assert status == 200 and RS_COOKIE.encode() in script and b"reverse()" in script
    token = re.search(r'\$_ts\.cd="([0-9a-f]+)"', text).group(1)
    cookie = f"{RS_COOKIE}={token[::-1]}"  # what the script computes
    assert fetch(guarded, report.url, Cookie=cookie)[0] == 200
    assert fetch(guarded, report.url, Cookie=f"{RS_COOKIE}={token}")[0] == 412


def test_hy_waf_405_for_bot_user_agents_and_head(guarded: Replica) -> None:
    guarded.world.gate.challenges[HY] = guarded.world.gate.challenges[HY][:1]  # the WAF alone
    status, _, body = fetch(guarded, HY_INDEX, **{"User-Agent": "Scrapy/2.11 (+https://scrapy.org)"})
    text = body.decode("utf-8")
    assert (
        status == 405
        and "网站安全防护" in text
        and "拦截" in text
        and "事件ID：" in text
        and "<a " not in text
    )
    assert fetch(guarded, HY_INDEX, method="HEAD", **{"User-Agent": BROWSER})[0] == 405
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({"http": guarded.proxy_url}))
    with opener.open(
        urllib.request.Request(HY_INDEX, headers={"User-Agent": BROWSER}), timeout=10
    ) as response:
        assert response.status == 200
        set_cookies = response.headers.get_all("Set-Cookie")
    assert any(c.startswith("TS01") for c in set_cookies) and any(
        c.startswith("_trs_uv=") for c in set_cookies
    )


def test_jsl_521_first_request_only(guarded: Replica) -> None:
    status, headers, body = fetch(guarded, HY_INDEX, **{"User-Agent": BROWSER})
    assert status == 521 and headers["Set-Cookie"].startswith("__jsluid_h=") and b"document.cookie" in body
    assert b"sl_clear" in body and b"ance=" in body
    assert fetch(guarded, HY_INDEX, **{"User-Agent": BROWSER})[0] == 200  # the gate opened


def test_jsl_521_always_until_the_computed_clearance() -> None:
    gate = AntiBot.parse("hy=521", seed=3)
    with running_replica(seed=0, antibot=gate) as replica:
        status, headers, body = fetch(replica, HY_INDEX)
        assert status == 521 and fetch(replica, HY_INDEX)[0] == 521
        jsluid = re.match(r"__jsluid_h=([0-9a-f]+);", headers["Set-Cookie"]).group(1)
        codes = re.search(rb"\[([\d,]+)\]\.map", body).group(1).decode()
        clearance = "".join(chr(int(c)) for c in codes.split(","))  # what the page's script computes
        cookie = f"__jsluid_h={jsluid}; __jsl_clearance={clearance}"
        assert fetch(replica, HY_INDEX, Cookie=cookie)[0] == 200
        assert fetch(replica, HY_INDEX, Cookie=f"__jsluid_h={jsluid}")[0] == 521
        assert fetch(replica, f"http://{HY}/robots.txt")[0] == 200


def test_challenges_are_off_by_default() -> None:
    world = build_world(0)
    assert world.gate is None
    assert world.handle("HEAD", HY, "/xxgk/index.html", headers={"User-Agent": "curl/8"}).status == 200


# -- encoding traps -----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def trapped() -> World:
    return build_world(0, encoding_traps=True)


def trap_reports(world: World) -> list[dict]:
    return [r for r in world.manifest()["reports"] if r.get("encoding")]


def served(world: World, url: str) -> tuple[str, bytes]:
    host = HY if HY in url else WENDENG
    response = world.handle("GET", host, url.split(host, 1)[1])
    assert response.status == 200
    return response.header("Content-Type"), response.body


def test_each_trap_is_served_on_both_sites(trapped: World) -> None:
    seen = {(r["site"], r["encoding"]["trap"]) for r in trap_reports(trapped)}
    traps = {"no_charset_header", "wrong_header", "malformed_meta"}
    assert seen == {(site, trap) for site in ("wendeng", "hy") for trap in traps}


def test_gbk_only_title_decodes_only_as_gbk(trapped: World) -> None:
    for report in trap_reports(trapped):
        title = report["title"]
        assert re.search("[镕堃喆]", title)
        with pytest.raises(UnicodeEncodeError):
            title.encode("gb2312")
        _, body = served(trapped, report["url"])
        assert title in body.decode("gbk")
        with pytest.raises(UnicodeDecodeError):
            body.decode("utf-8")
        with pytest.raises(UnicodeDecodeError):
            body.decode("gb2312")  # 「GB2312 declared, GBK content」


@pytest.mark.parametrize(
    ("trap", "content_type", "meta"),
    [
        (
            "no_charset_header",
            "text/html",
            b'<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
        ),
        ("wrong_header", "text/html; charset=utf-8", b'content="text/html; charset=gbk">'),
        ("malformed_meta", "text/html", b'<meta httpequiv="ContentType" content="text/html; charset=gbk">'),
    ],
)
def test_trap_labels(trapped: World, trap: str, content_type: str, meta: bytes) -> None:
    for report in (r for r in trap_reports(trapped) if r["encoding"]["trap"] == trap):
        header, body = served(trapped, report["url"])
        assert header == content_type and meta in body and b"charset=UTF-8" not in body
        assert b'<meta charset="utf-8">' not in body


def test_trap_list_pages_have_no_charset(trapped: World) -> None:
    for report in trap_reports(trapped):
        header, body = served(trapped, report["column_url"])
        assert header == "text/html" and report["agency"] in body.decode("gbk")


def test_default_world_is_all_utf8() -> None:
    world = build_world(0)
    assert not world.charsets and not trap_reports(world)
    assert all(r["title"].encode("gb2312") for r in world.manifest()["reports"])
