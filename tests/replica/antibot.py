"""Anti-bot challenges in front of the replica sites (sites.md §5.1, §6.2, §6.3), default off.

- ``412`` "瑞数-like": /col/ and /art/ without a valid cookie → 412 with an inline ``$_ts`` script and
  ``<script src="/4QbVtADbnLVIc/challenge.js">``; the script sets the cookie and reloads.
- ``405`` "WAF perimeter": a User-Agent without a browser token (``Mozilla/``), or HEAD → 405 with a
  Chinese block page; normal GETs get ``Set-Cookie: TS01…`` and ``_trs_uv``, which nothing checks.
- ``521`` "加速乐-like": no valid ``__jsluid_h`` + ``__jsl_clearance`` → 521, ``Set-Cookie: __jsluid_h``
  and JS computing ``__jsl_clearance``.

Each challenge applies ``always`` or only to the ``first`` request per host (then never again).
robots.txt is never challenged.

    gate = AntiBot.parse("wendeng=412,hy=405,hy=521:first", seed=0)
    world.gate = gate
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie

from tests.replica.hosts import STYLES
from tests.replica.world import HY, WENDENG, Response, World

KINDS = ("412", "405", "521")
MODES = ("always", "first")
#: the newer hosts too: ``xincai=521`` is archetype D's 「加速乐-like」 gate (sites.md §6.5)
SITE_HOSTS = {"wendeng": WENDENG, "hy": HY, **{site: style.host for site, style in STYLES.items()}}
RS_SCRIPT = "/4QbVtADbnLVIc/challenge.js"
RS_COOKIE = "FSSBBIl1UgzbN7N80T"  # what the script sets
RS_SERVER_COOKIE = "FSSBBIl1UgzbN7N80S"  # what the 412 sets itself
BROWSER_TOKEN = "Mozilla/"


@dataclass(frozen=True)
class Challenge:
    kind: str  # 412 / 405 / 521
    mode: str = "always"  # always / first

    def __post_init__(self) -> None:
        if self.kind not in KINDS or self.mode not in MODES:
            raise ValueError(f"challenge must be one of {KINDS} with mode {MODES}: {self}")


@dataclass
class AntiBot:
    """The gate ``World.handle`` consults: host → challenges, checked in order."""

    challenges: dict[str, list[Challenge]]
    seed: int = 0
    _seen: set[tuple[str, str]] = field(default_factory=set, repr=False)  # (host, kind) challenged once
    _issued: int = field(default=0, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def parse(cls, spec: str, seed: int = 0) -> AntiBot:
        """``"wendeng=412,hy=405,hy=521:first"`` (site or host name = kind[:mode]) → a gate."""
        challenges: dict[str, list[Challenge]] = {}
        for part in filter(None, (p.strip() for p in spec.split(","))):
            site, _, rule = part.partition("=")
            kind, _, mode = rule.partition(":")
            host = SITE_HOSTS.get(site.strip(), site.strip())
            challenges.setdefault(host, []).append(Challenge(kind.strip(), mode.strip() or "always"))
        return cls(challenges, seed)

    def __call__(
        self, world: World, method: str, host: str, path: str, headers: dict[str, str]
    ) -> tuple[Response | None, list[tuple[str, str]]]:
        extra: list[tuple[str, str]] = []
        if path == "/robots.txt":
            return None, extra
        if path == RS_SCRIPT and any(c.kind == "412" for c in self.challenges.get(host, ())):
            return _rs_script(), extra
        cookies = _cookies(headers)
        for challenge in self.challenges.get(host, ()):
            if not self._due(host, challenge, method, path, headers, cookies):
                continue
            return self._page(host, challenge.kind), extra
        if any(c.kind == "405" for c in self.challenges.get(host, ())):
            extra = self._waf_cookies(host)
        return None, extra

    # -- when

    def _due(
        self,
        host: str,
        challenge: Challenge,
        method: str,
        path: str,
        headers: dict[str, str],
        cookies: dict[str, str],
    ) -> bool:
        if challenge.kind == "412" and not path.startswith(("/col/", "/art/")):
            return False
        if challenge.mode == "first":
            with self._lock:
                if (host, challenge.kind) in self._seen:
                    return False
                self._seen.add((host, challenge.kind))
            return True
        if challenge.kind == "412":
            return cookies.get(RS_COOKIE) != self.rs_token(host)[::-1]
        if challenge.kind == "405":
            return method == "HEAD" or BROWSER_TOKEN not in headers.get("user-agent", "")
        jsluid = cookies.get("__jsluid_h", "")
        return not jsluid or cookies.get("__jsl_clearance") != self.jsl_clearance(jsluid)

    # -- tokens (what the challenge scripts compute; tests and browsers can derive the cookies)

    def rs_token(self, host: str) -> str:
        return _hex(f"rs:{self.seed}:{host}")

    def jsl_clearance(self, jsluid: str) -> str:
        return f"1767225600.{int(_hex(jsluid)[:3], 16) % 1000:03d}|0|{_hex(f'jsl:{self.seed}:{jsluid}')}"

    def _next_jsluid(self, host: str) -> str:
        with self._lock:
            self._issued += 1
            return _hex(f"jsluid:{self.seed}:{host}:{self._issued}")

    # -- pages

    def _page(self, host: str, kind: str) -> Response:
        if kind == "412":
            return self._rs_page(host)
        if kind == "405":
            return _waf_page(host, _hex(f"waf:{self.seed}:{host}:{self._issued}")[:16])
        return self._jsl_page(host)

    def _rs_page(self, host: str) -> Response:
        token = self.rs_token(host)
        text = (
            '<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
            f'<meta id="9DhefwqGPrzGxEp9hPaoag" content="{_hex(token)}">'
            "<script>var $_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=84531;"
            f'$_ts.cd="{token}";</script><script type="text/javascript" charset="utf-8" src="{RS_SCRIPT}"></script>'
            "</head><body></body></html>"
        )
        cookie = f"{RS_SERVER_COOKIE}={_hex(host + token)}; Path=/; expires=Fri, 01 Jan 2027 00:00:00 GMT; HttpOnly"
        return Response(412, [("Content-Type", "text/html"), ("Set-Cookie", cookie)], text.encode())

    def _jsl_page(self, host: str) -> Response:
        jsluid = self._next_jsluid(host)
        codes = ",".join(str(ord(c)) for c in self.jsl_clearance(jsluid))
        text = (
            "<html><body><script>document.cookie=('_')+('_j')+('sl_clear')+('ance=')+"
            f"[{codes}].map(function(c){{return String.fromCharCode(c)}}).join('')+"
            "(';max-age=3600;path=/');location.href=location.pathname+location.search</script></body></html>"
        )
        cookie = f"__jsluid_h={jsluid}; max-age=31536000; path=/; HttpOnly"
        return Response(521, [("Content-Type", "text/html"), ("Set-Cookie", cookie)], text.encode())

    def _waf_cookies(self, host: str) -> list[tuple[str, str]]:
        return [
            ("Set-Cookie", f"TS01a7b3c9={_hex(f'ts:{self.seed}:{host}')}; Path=/"),
            (
                "Set-Cookie",
                f"_trs_uv=m{_hex(host)[:6]}_{self.seed}_{_hex(str(self.seed))[:4]}; path=/; max-age=31536000",
            ),
        ]


def _waf_page(host: str, event_id: str) -> Response:
    text = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>网站防火墙</title></head><body>'
        '<div class="main"><h1>您的访问请求可能对网站造成安全威胁</h1>'
        f"<p>您访问的网站 {host} 已启用网站安全防护服务，当前请求已被网站安全防护拦截。</p>"
        "<p>如您是网站管理员，请联系服务商并提供以下信息。</p>"
        f"<p>事件ID：{event_id}</p></div></body></html>"
    )
    return Response(405, [("Content-Type", "text/html; charset=utf-8")], text.encode("utf-8"))


def _rs_script() -> Response:
    js = (
        'document.cookie="' + RS_COOKIE + '="+$_ts.cd.split("").reverse().join("")+"; path=/";'
        "location.reload();\n"
    )
    return Response(200, [("Content-Type", "application/javascript")], js.encode())


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except CookieError:  # a malformed Cookie header is no cookie at all
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def _hex(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # an id, not security
