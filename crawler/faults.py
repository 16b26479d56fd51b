"""What went wrong with a fetch, as a short kind: pure functions, no Scrapy (reparse uses them too).

- :func:`challenge_kind` tells an anti-bot challenge from a page (sites.md §5.1): 瑞数 412 with a
  ``$_ts`` script, 加速乐 521 with ``__jsl_clearance``, WAF block pages (405 「网防G01」, 云堤), and
  JavaScript cookie checks served with 200.
- :func:`error_kind` names a download failure (timeout, reset, truncated, too_large, 5xx …): the
  ``<kind>`` of the crawl stats ``xxgk/error/<kind>`` and of ``documents.fault``.
- :func:`backoff_delay` is the wait before a retry: exponential, capped, with jitter.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Mapping

# --- anti-bot challenges ---------------------------------------------------------------------------

RUISHU = "ruishu"  # 瑞数 (Riversecurity): 412 + $_ts script, cookie FSSBBIl1UgzbN7N80S/T
JIASULE = "jiasule"  # 加速乐 (Knownsec): 521/512 + JS computing __jsl_clearance, cookie __jsluid_h/s
WAF = "waf"  # a block page: 网防G01, 电信云堤, 「网站安全防护…拦截」
JS_CHECK = "js_check"  # a 200 page that only computes a cookie and reloads (stats.gov.cn style)
CHALLENGE_KINDS = (RUISHU, JIASULE, WAF, JS_CHECK)

#: only the head of a body is inspected: challenge pages are small, reports are not
SNIFF_BYTES = 8192
#: a JS check served with 200 is a short page; a report that merely mentions document.cookie is not
JS_CHECK_MAX_BYTES = 16384

_RUISHU_MARKS = re.compile(rb"\$_ts\s*[=.\[]|FSSBBIl1UgzbN7N80|9DhefwqGPrzGxEp9hPaoag")
_JIASULE_MARKS = re.compile(rb"__jsl_clearance|__jsluid_[hs]|_j'\)\+\('sl_clear|sl_clear")
_WAF_MARKS = re.compile(
    "网站安全防护|安全防护拦截|网防G01|云堤|已被拦截|已拦截|访问请求可能对网站造成安全威胁|Web应用防火墙|网站防火墙".encode()
)
_JS_CHECK_MARKS = re.compile(
    rb"acw_sc__v2|__jsl_clearance|Please enable JavaScript|document\.cookie\s*=", re.IGNORECASE
)
#: literals each mark above contains (the JS-check ones lower-cased): cheap tests before the regexes
_RUISHU_LITERALS = (b"$_ts", b"FSSBBIl1UgzbN7N80", b"9DhefwqGPrzGxEp9hPaoag")
_JIASULE_LITERALS = (b"sl_clear", b"__jsluid_")
_JS_CHECK_LITERALS = (b"acw_sc__v2", b"__jsl_clearance", b"please enable javascript", b"document.cookie")
_CHALLENGE_COOKIES = re.compile(r"^(FSSBBIl1UgzbN7N80|__jsluid_|acw_tc|acw_sc__v2)", re.IGNORECASE)

Headers = Mapping[str, str] | Iterable[tuple[str, str]]


def header_pairs(headers: Headers) -> list[tuple[str, str]]:
    """(lower-case name, value) pairs from a mapping or a list of pairs (Set-Cookie repeats)."""
    items = headers.items() if isinstance(headers, Mapping) else headers
    return [(str(name).lower(), str(value)) for name, value in items]


def challenge_kind(status: int, headers: Headers, body: bytes) -> str | None:
    """The anti-bot challenge this response is (``ruishu``/``jiasule``/``waf``/``js_check``), or None.

    Status alone is not enough (a 412 can be a plain precondition failure, a 405 a method error),
    nor is a body alone (a report can quote ``document.cookie``): each kind needs its marks.
    """
    head = body[:SNIFF_BYTES]
    cookies = [value for name, value in header_pairs(headers) if name == "set-cookie"]
    sets_challenge_cookie = any(_CHALLENGE_COOKIES.match(cookie.strip()) for cookie in cookies)
    if status == 412 and (_RUISHU_MARKS.search(head) or sets_challenge_cookie or b"<script" in head):
        return RUISHU
    if status in (521, 512) and (_JIASULE_MARKS.search(head) or sets_challenge_cookie or b"<script" in head):
        return JIASULE
    if status in (403, 405, 406, 418, 468, 493, 501) and _WAF_MARKS.search(head):
        return WAF
    if 200 <= status < 300 and len(body) <= JS_CHECK_MAX_BYTES:
        return _challenge_in_page(head)
    return None


def _challenge_in_page(head: bytes) -> str | None:
    """A challenge served with 200. Every response of a crawl comes through here, so each regex is
    guarded by plain substring tests (memchr-fast) of the literals it needs."""
    if _has_any(head, _RUISHU_LITERALS) and b"<script" in head and _RUISHU_MARKS.search(head):
        return RUISHU
    if _has_any(head, _JIASULE_LITERALS) and _JIASULE_MARKS.search(head):
        return JIASULE
    lowered = head.lower()  # the JS-check marks are case-insensitive
    if (
        _has_any(lowered, _JS_CHECK_LITERALS)
        and b"<script" in lowered
        and _JS_CHECK_MARKS.search(head)
        and len(_visible_text(head)) < 200
    ):
        return JS_CHECK
    return None


def _has_any(haystack: bytes, needles: tuple[bytes, ...]) -> bool:
    return any(needle in haystack for needle in needles)


def sets_cookie(headers: Headers) -> bool:
    """Whether the answer sets a cookie: a first-request challenge may pass once it is sent back."""
    return any(name == "set-cookie" for name, _ in header_pairs(headers))


_TAGS = re.compile(rb"<script.*?</script>|<style.*?</style>|<[^>]*>", re.DOTALL | re.IGNORECASE)


def _visible_text(html: bytes) -> bytes:
    return re.sub(rb"\s+", b"", _TAGS.sub(b"", html))


# --- download errors -------------------------------------------------------------------------------

#: exception class name → kind (names, not classes: this module imports neither Twisted nor Scrapy)
_ERROR_KINDS = {
    "DownloadTimeoutError": "timeout",
    "TimeoutError": "timeout",
    "TCPTimedOutError": "timeout",
    "UserTimeout": "timeout",
    "ResponseDataLossError": "truncated",
    "_DataLoss": "truncated",
    "ConnectionLost": "reset",
    "ConnectionDone": "reset",
    "ConnectionResetError": "reset",
    "ConnectionAborted": "reset",
    "ResponseFailed": "reset",
    "ResponseNeverReceived": "reset",
    "DownloadFailedError": "reset",
    "DownloadConnectionRefusedError": "refused",
    "ConnectionRefusedError": "refused",
    "ConnectError": "connect",
    "CannotResolveHostError": "dns",
    "DNSLookupError": "dns",
    "TunnelError": "proxy",
    "ChallengeError": "challenge",
    "ExtractTimeout": "extract_timeout",
    "MemoryError": "extract_memory",
}
_RESET = frozenset({"ConnectionLost", "ConnectionResetError", "ConnectionAborted"})
_GENERIC = frozenset({"ResponseFailed", "DownloadFailedError", "ConnectionDone"})
_TOO_LARGE = re.compile(r"larger than (download )?max\s*size|exceeds? .*maxsize|DOWNLOAD_MAXSIZE", re.I)


def error_kind(exception: BaseException | None = None, status: int | None = None) -> str:
    """A download failure as a short kind: timeout, reset, truncated, too_large, 5xx, http_404, …

    ``exception`` wins over ``status``; the causes of a wrapping exception are looked at too
    (Scrapy wraps Twisted's ``ResponseFailed([ConnectionLost])``).
    """
    if exception is not None:
        if type(exception).__name__ == "DownloadCancelledError" or _TOO_LARGE.search(str(exception)):
            return "too_large"
        names = [type(candidate).__name__ for candidate in _chain(exception)]
        # the specific cause first: a body cut by an RST is ResponseDataLossError caused by
        # ResponseFailed([ConnectionLost, _DataLoss]): a reset; cut by a FIN (ConnectionDone): truncated
        for name in sorted(names, key=lambda name: (name not in _RESET, name in _GENERIC)):
            kind = _ERROR_KINDS.get(name)
            if kind is not None:
                return kind
        if status is None:
            return "other"
    if status is None or status == 0:
        return "other"
    if 500 <= status < 600:
        return "5xx"
    return f"http_{status}"


def _chain(exception: BaseException) -> list[BaseException]:
    """The exception, then what it wraps: ``__cause__``/``__context__`` and Twisted's ``reasons``."""
    seen: list[BaseException] = []
    pending = [exception]
    while pending and len(seen) < 10:
        current = pending.pop(0)
        if any(current is s for s in seen):
            continue
        seen.append(current)
        for reason in getattr(current, "reasons", None) or ():
            pending.append(getattr(reason, "value", reason))
        pending += [e for e in (current.__cause__, current.__context__) if e is not None]
    return seen


# --- retry backoff ---------------------------------------------------------------------------------


def backoff_delay(
    retry: int,
    base: float,
    cap: float,
    jitter: float = 0.5,
    rng: random.Random | None = None,
    retry_after: float | None = None,
) -> float:
    """Seconds to wait before the ``retry``-th retry (1-based): ``base·2^(retry-1)`` capped at ``cap``,
    spread by ±``jitter`` (a fraction) so that retries from one burst do not come back together.

    A server's ``Retry-After`` (seconds) is honoured when longer, but never beyond ``cap``.
    """
    if base <= 0 or retry <= 0:
        return 0.0
    delay = min(cap, base * 2 ** (retry - 1))
    if jitter > 0:
        delay *= 1 + jitter * ((rng or random).random() * 2 - 1)
    if retry_after is not None and retry_after > delay:
        delay = retry_after
    return max(0.0, min(cap, delay))


def parse_retry_after(value: str | bytes | None) -> float | None:
    """``Retry-After: 120`` → 120.0; an HTTP date or garbage → None (then the backoff decides)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    try:
        return max(0.0, float(text.strip()))
    except ValueError:
        return None
