"""The environment of a crawl subprocess that may reach only the replica."""

from __future__ import annotations

import os


def proxy_env(proxy_url: str) -> dict[str, str]:
    """Only the replica proxy; no inherited proxies that could reach past loopback."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    return env | {"http_proxy": proxy_url, "PYTHONUNBUFFERED": "1"}
