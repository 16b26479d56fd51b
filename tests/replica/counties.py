"""Many small county hosts for scale tests: ``county_world(count, seed)``, each host built on first use.

Every generated county is one of the replica's county archetypes (tests/replica/county.py: the year
tree, the DedeCMS site, the classic Hanweb portal, the TRS ``.shtml`` portal) under an invented name —
three characters from a pool of place-name characters, e.g. 青林溪县 at ``www.qinglinxi.gov.cn`` (three
syllables, so as not to be a real county's domain) — with its own bodies (departments, invented towns),
years, noise and attachments drawn from the seed. The list of counties costs microseconds per host;
a host's pages are built when it is first asked for (about 50 ms and 0.5 MB each), so a world of 1,000
hosts starts at once and only what a crawl touches is ever built.

``write_profiles(specs, directory)`` writes one TOML profile per county, as a county added by a user
would be (``XXGK_SITES_DIR``); the manifest of a subset (``world.manifest(sites)``) is the expected
answer of a crawl of those sites.
"""

from __future__ import annotations

import random
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.replica import content, county
from tests.replica.classic import Classic
from tests.replica.county import Style
from tests.replica.dede import Dede
from tests.replica.shtml import Shtml
from tests.replica.world import ALL_SITES, World
from tests.replica.yeartree import YearTree

#: the archetypes a generated county is built from, and the platform its profile names: each is walked
#: by the generic platform (what ``auto`` detects on their start pages), so workers can be seeded too
ARCHETYPES: tuple[type[Style], ...] = (YearTree, Dede, Classic, Shtml)
PLATFORM = "generic"
#: place-name characters and their pinyin (one reading each: no 长/乐 ambiguity)
SYLLABLES = tuple(re.findall(r"\S+",
    "青qing 林lin 河he 山shan 平ping 安an 宁ning 康kang 泉quan 水shui 石shi 松song 柳liu 杨yang 桃tao "
    "梅mei 兰lan 云yun 溪xi 阳yang 东dong 西xi 南nan 北bei 新xin 丰feng 兴xing 隆long 昌chang 永yong "
    "德de 福fu 寿shou 泰tai 和he 明ming 清qing 源yuan 桥qiao 川chuan 岭ling 峰feng 坪ping 湖hu 浦pu "
    "田tian 沙sha 金jin 银yin 玉yu 华hua 龙long 凤feng 鹤he 鹿lu 崖ya 原yuan 谷gu 塘tang 岩yan 榆yu"
))
PROVINCES = ("河北省", "山西省", "河南省", "湖南省", "甘肃省", "陕西省", "四川省", "江西省", "安徽省", "贵州省")
#: the sites the crawler already knows by name: a generated county never takes one
RESERVED = frozenset(ALL_SITES) | frozenset(
    path.stem for path in (Path(__file__).resolve().parents[2] / "crawler" / "sites").glob("*.toml")
)


@dataclass(frozen=True)
class CountySpec:
    """One generated county: its names, codes and archetype (the pages come later)."""

    index: int
    site: str  # the profile name: the county's pinyin
    host: str
    county: str  # 青林溪县
    region: str  # 河南省梅川市: the province and city it belongs to
    admin_code: str  # 6-digit 行政区划代码 (invented)
    phone: str  # area code and exchange prefix, 0xxx-yy
    archetype: type[Style]
    towns: tuple[tuple[str, str], ...]  # (short name, slug)

    @property
    def start_url(self) -> str:
        return f"http://{self.host}/"

    @property
    def prefix(self) -> str:
        """What every body name starts with (the seed portals' 威海市文登区 …)."""
        return self.region.removeprefix(next(p for p in PROVINCES if self.region.startswith(p))) + self.county

    def style(self) -> Style:
        """An instance of the archetype under this county's names."""
        kept = tuple(t for t in self.archetype.towns if t[0] in self.archetype.always)  # e.g. a GBK-only town
        attributes = {"site": self.site, "host": self.host, "name": f"{self.prefix}人民政府",
                      "towns": [*self.towns, *kept]}  # fmt: skip
        return type(f"{self.archetype.__name__}_{self.site}", (self.archetype,), attributes)()

    def profile(self) -> str:
        return (
            f"# generated replica county {self.index} ({self.archetype.__name__}); tests/replica/counties.py\n"
            f'[site]\nname = "{self.site}"\nplatform = "{PLATFORM}"\nstart_url = "{self.start_url}"\n'
            f'region = "{self.region}"\ncounty = "{self.county}"\n'
        )


def county_specs(count: int, seed: int = 0) -> list[CountySpec]:
    """``count`` distinct counties, the archetypes in turn (a seeded rotation): deterministic by seed."""
    rng = random.Random(f"counties:{seed}")
    pool = [(entry[0], entry[1:]) for entry in SYLLABLES]
    taken: set[str] = set(RESERVED)
    offset = rng.randrange(len(ARCHETYPES))
    specs = []
    for index in range(count):
        chars, site = _name(rng, pool, 3, taken)
        taken.add(site)
        city = "".join(rng.choice(pool)[0] for _ in range(2)) + "市"
        specs.append(CountySpec(
            index=index, site=site, host=f"www.{site}.gov.cn", county=chars + rng.choice("县县区"),
            region=rng.choice(PROVINCES) + city, admin_code=f"{rng.randint(13, 62)}{rng.randint(1, 30):02d}"
            f"{rng.randint(21, 99):02d}", phone=f"0{rng.randint(310, 999)}-{rng.randint(20, 89)}",
            archetype=ARCHETYPES[(index + offset) % len(ARCHETYPES)], towns=_towns(rng, pool),
        ))  # fmt: skip
    return specs


def _name(rng: random.Random, pool: list[tuple[str, str]], size: int, taken: set[str]) -> tuple[str, str]:
    while True:
        picked = rng.sample(pool, size)
        pinyin = "".join(p for _, p in picked)
        if pinyin not in taken:
            return "".join(c for c, _ in picked), pinyin


def _towns(rng: random.Random, pool: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    """Eight invented towns, townships and 街道 (slug: the pinyin initials and the kind's)."""
    towns: dict[str, str] = {}
    while len(towns) < 8:
        picked = rng.sample(pool, 2)
        kind, initial = rng.choice((("镇", "z"), ("镇", "z"), ("乡", "x"), ("街道", "jd")))
        slug = "".join(p[0] for _, p in picked) + initial
        if slug not in towns.values():  # a slug names the town's pages on some archetypes
            towns.setdefault("".join(c for c, _ in picked) + kind, slug)
    return tuple(towns.items())


@dataclass
class CountyWorld(World):
    """A :class:`World` whose generated hosts are built on their first request (or manifest)."""

    specs: dict[str, CountySpec] = field(default_factory=dict)  # by host
    built: set[str] = field(default_factory=set)  # sites built so far
    _build_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    _all_hosts: tuple[frozenset[str], frozenset[str]] = field(default=(frozenset(), frozenset()), repr=False)

    @property
    def hosts(self) -> frozenset[str]:
        # asked on every request: the union is redone only when the built pages' hosts changed
        built = super().hosts
        if self._all_hosts[0] is not built:
            self._all_hosts = (built, built | frozenset(self.specs))
        return self._all_hosts[1]

    def handle(self, method: str, host: str, target: str, body: bytes = b"", headers: Any = None) -> Any:
        if host in self.specs:
            self.ensure(self.specs[host].site)
        return super().handle(method, host, target, body, headers)

    def spec(self, site: str) -> CountySpec:
        return next(spec for spec in self.specs.values() if spec.site == site)

    def ensure(self, site: str) -> None:
        """Build ``site`` unless built (once, whichever server thread asks first)."""
        if site in self.built:
            return
        with self._build_lock:
            if site not in self.built:
                spec = self.spec(site)
                _register(spec)
                county.build(self, random.Random(f"{site}:{self.seed}"), spec.style())
                self.built.add(site)

    def manifest(self, sites: tuple[str, ...] | None = None) -> dict[str, Any]:  # type: ignore[override]
        """The expected answer for ``sites`` (default: every county, all built for it)."""
        chosen = set(sites) if sites is not None else {spec.site for spec in self.specs.values()}
        for site in sorted(chosen):
            self.ensure(site)
        full = super().manifest()
        hosts = {self.spec(site).host for site in chosen}

        def keep(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [entry for entry in entries if entry.get("site") in chosen]

        counts = full["counts"] | {"reports": len(keep(full["reports"])),
                                   "bodies": {s: n for s, n in full["counts"]["bodies"].items() if s in chosen}}
        return full | {"hosts": sorted(hosts), "reports": keep(full["reports"]), "missing": keep(full["missing"]),
                       "noise": keep(full["noise"]), "counts": counts}  # fmt: skip


def _register(spec: CountySpec) -> None:
    """The county's names and codes where the content builders look a site up (body names, credit
    codes, telephone numbers)."""
    content.SITE_PREFIX[spec.site] = spec.prefix
    content.SITE_ADMIN_CODE[spec.site] = spec.admin_code
    content.SITE_PHONE[spec.site] = spec.phone


def county_world(count: int, seed: int = 0) -> CountyWorld:
    """A world of ``count`` generated counties; nothing is built until asked for."""
    world = CountyWorld(seed=seed, scale="counties")
    world.specs = {spec.host: spec for spec in county_specs(count, seed)}
    return world


def write_profiles(specs: list[CountySpec], directory: Path) -> Path:
    """One ``<site>.toml`` per county in ``directory`` (for ``XXGK_SITES_DIR``)."""
    directory.mkdir(parents=True, exist_ok=True)
    for spec in specs:
        (directory / f"{spec.site}.toml").write_text(spec.profile(), encoding="utf-8")
    return directory
