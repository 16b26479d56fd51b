"""``with running_replica() as replica:`` — the replica world served on a free loopback port.

with running_replica(seed=0) as replica:
    os.environ["http_proxy"] = replica.proxy_url
    replica.manifest["reports"][0]["url"]          # what a crawl must find
    replica.world.edit_report(url, title="…（更正）")  # mutate while serving
    replica.world.publish_year(2025, bodies=6)      # … then replica.refresh_manifest()

Options: ``faults=FaultPlan.parse("5xx=0.1,reset=0.02", seed=1)`` (socket-level faults),
``antibot=AntiBot.parse("wendeng=412,hy=405")`` (challenges), ``encoding_traps=True`` (GBK pages),
``sites=ALL_SITES`` (the four newer hosts too; start URLs in tests/replica/hosts.py), ``traditional=True``
(some seed-portal titles in traditional script).

Many generated counties (tests/replica/counties.py), paced like the internet:

with running_counties(1000, seed=0, pacing=Pacing(latency=0.05, bandwidth=256 * 1024)) as counties:
    env = {"http_proxy": counties.proxy_url, "XXGK_SITES_DIR": str(counties.sites_dir)}
    counties.sites[:3]                               # profile names to crawl
    counties.manifest(counties.sites[:3])            # what a crawl of those must find
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.replica.antibot import AntiBot
from tests.replica.counties import CountySpec, CountyWorld, county_world, write_profiles
from tests.replica.faults import FaultPlan
from tests.replica.pacing import Pacing
from tests.replica.server import ReplicaServer, start
from tests.replica.world import DEFAULT_SITES, World, build_world


@dataclass
class Replica:
    world: World
    server: ReplicaServer
    manifest_path: Path

    @property
    def proxy_url(self) -> str:
        return self.server.proxy_url

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads(self.manifest_path.read_text(encoding="utf-8"))

    def refresh_manifest(self) -> Path:
        """Rewrite expected.json after mutating the world."""
        return self.world.write_manifest(self.manifest_path)


@contextmanager
def running_replica(
    seed: int = 0,
    scale: str = "default",
    *,
    port: int = 0,
    manifest_path: Path | None = None,
    modern_hanweb: bool = False,
    faults: FaultPlan | None = None,
    antibot: AntiBot | None = None,
    encoding_traps: bool = False,
    sites: tuple[str, ...] = DEFAULT_SITES,
    traditional: bool = False,
) -> Iterator[Replica]:
    world = build_world(
        seed, scale, modern_hanweb=modern_hanweb, encoding_traps=encoding_traps, sites=sites, traditional=traditional
    )
    world.gate = antibot
    with tempfile.TemporaryDirectory(prefix="replica-") as tmp:
        path = world.write_manifest(manifest_path or Path(tmp) / "expected.json")
        with serving(world, port, faults) as server:
            yield Replica(world, server, path)


@dataclass
class Counties:
    world: CountyWorld
    server: ReplicaServer
    sites_dir: Path  # one TOML profile per county (XXGK_SITES_DIR)

    @property
    def proxy_url(self) -> str:
        return self.server.proxy_url

    @property
    def specs(self) -> list[CountySpec]:
        return list(self.world.specs.values())

    @property
    def sites(self) -> list[str]:
        return [spec.site for spec in self.specs]

    def manifest(self, sites: tuple[str, ...] | list[str] | None = None) -> dict[str, Any]:
        return self.world.manifest(None if sites is None else tuple(sites))


@contextmanager
def running_counties(
    count: int, seed: int = 0, *, port: int = 0, pacing: Pacing | None = None, faults: FaultPlan | None = None
) -> Iterator[Counties]:
    """``count`` generated county hosts served on a free loopback port, their profiles in a temp dir."""
    world = county_world(count, seed)
    with tempfile.TemporaryDirectory(prefix="counties-") as tmp:
        sites_dir = write_profiles(list(world.specs.values()), Path(tmp) / "sites")
        with serving(world, port, faults, pacing) as server:
            yield Counties(world, server, sites_dir)


@contextmanager
def serving(world: Any, port: int, faults: FaultPlan | None, pacing: Pacing | None = None) -> Iterator[ReplicaServer]:
    """``world`` served on loopback while the block runs; the server stopped and its thread joined after."""
    server, thread = start(world, port, faults, pacing)
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
