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
from tests.replica.faults import FaultPlan
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
        server, thread = start(world, port, faults)
        try:
            yield Replica(world, server, path)
        finally:
            server.shutdown()
            server.server_close()
            thread.join(timeout=5)
