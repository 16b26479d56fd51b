"""``python -m tests.replica serve [--seed N] [--scale default|large] [--port P] [--manifest PATH]``.

More options: ``--faults 5xx=0.1,timeout=0.05,reset=0.02,truncate=0.02,slow=0.01 --fault-seed N``
(``--hang-seconds``), ``--antibot wendeng=412,hy=405,hy=521:first``, ``--encoding-traps``,
``--sites all`` (or a comma list of wendeng, hy, bypc, xincai, anding, jiaokou; the SiteServer-like
xunyi only by name), ``--traditional``.
Many generated counties instead (tests/replica/counties.py): ``--counties 1000 --sites-dir DIR`` (their
TOML profiles, for XXGK_SITES_DIR); pacing for either: ``--latency 0.05 --bandwidth 256k`` (per host).
Prints the proxy URL as the first stdout line (then the manifest path) and serves until SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
from pathlib import Path

from tests.replica.antibot import AntiBot
from tests.replica.counties import county_world, write_profiles
from tests.replica.faults import FaultPlan
from tests.replica.pacing import Pacing
from tests.replica.server import ReplicaServer, start
from tests.replica.world import ALL_SITES, DEFAULT_SITES, SCALES, build_world


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.replica")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve the replica as an HTTP forward proxy on 127.0.0.1")
    serve.add_argument("--seed", type=int, default=0)
    serve.add_argument("--scale", choices=SCALES, default="default")
    serve.add_argument("--port", type=int, default=0, help="0 = a free port")
    serve.add_argument("--manifest", type=Path, help="where to write expected.json (default: a temp dir)")
    serve.add_argument("--modern-hanweb", action="store_true", help="?pageNum=N really paginates")
    serve.add_argument(
        "--faults", default="", help="kind=rate,… with kinds 5xx, timeout, reset, truncate, slow"
    )
    serve.add_argument("--fault-seed", type=int, default=0)
    serve.add_argument("--hang-seconds", type=float, default=30.0, help="how long a 'timeout' holds on")
    serve.add_argument("--antibot", default="", help="site=412|405|521[:first],… (challenges, default none)")
    serve.add_argument("--encoding-traps", action="store_true", help="serve some pages as mislabelled GBK")
    serve.add_argument("--sites", default=",".join(DEFAULT_SITES), help="comma list of sites, or 'all'")
    serve.add_argument("--traditional", action="store_true", help="some seed-portal titles in traditional script")
    serve.add_argument("--counties", type=int, default=0, help="serve N generated counties instead of --sites")
    serve.add_argument("--sites-dir", type=Path, help="where to write the counties' profiles (default: a temp dir)")
    serve.add_argument("--latency", type=float, default=0.0, help="seconds before each answer")
    serve.add_argument("--bandwidth", default="0", help="bytes/s per host (64k, 2m; 0 = unlimited)")
    args = parser.parse_args(argv)
    if args.counties:
        return serve_counties(args)

    sites = ALL_SITES if args.sites == "all" else tuple(s.strip() for s in args.sites.split(",") if s.strip())
    world = build_world(
        args.seed,
        args.scale,
        modern_hanweb=args.modern_hanweb,
        encoding_traps=args.encoding_traps,
        sites=sites,
        traditional=args.traditional,
    )
    world.gate = AntiBot.parse(args.antibot, seed=args.seed) if args.antibot else None
    faults = (
        FaultPlan.parse(args.faults, args.fault_seed, hang_seconds=args.hang_seconds) if args.faults else None
    )
    manifest = args.manifest or Path(tempfile.mkdtemp(prefix="replica-")) / "expected.json"
    world.write_manifest(manifest)
    server, _thread = start(world, args.port, faults, pacing_of(args))
    print(server.proxy_url, flush=True)
    print(f"manifest: {manifest}", flush=True)
    return serve_until_stopped(server)


def pacing_of(args: argparse.Namespace) -> Pacing | None:
    pacing = Pacing.parse(args.latency, args.bandwidth)
    return pacing if pacing.latency or pacing.bandwidth else None


def serve_counties(args: argparse.Namespace) -> int:
    """Generated counties: built on first request; no manifest file (``county_world(N, seed).manifest(sites)``
    gives any subset's, as the same seed builds the same hosts)."""
    world = county_world(args.counties, args.seed)
    sites_dir = write_profiles(list(world.specs.values()),
                               args.sites_dir or Path(tempfile.mkdtemp(prefix="counties-")) / "sites")
    server, _thread = start(world, args.port, None, pacing_of(args))
    print(server.proxy_url, flush=True)
    print(f"sites: {sites_dir}", flush=True)
    return serve_until_stopped(server)


def serve_until_stopped(server: ReplicaServer) -> int:
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
