"""A replica that answers as many dynamic CMS pages do: no ``ETag``, no ``Last-Modified``, never a 304.

    with running_replica(seed=0) as replica:
        without_validators(replica.world)   # from now on every answer is a full 200 without validators

The world itself is unchanged (mutations, manifest); only what crosses the wire differs, so the
same replica can be crawled with and without validators in one test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.replica.world import Response, World

VALIDATORS = frozenset({"etag", "last-modified"})
CONDITIONS = frozenset({"if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range"})

Handler = Callable[..., Response]


def strip_validators(response: Response) -> Response:
    headers = [(name, value) for name, value in response.headers if name.lower() not in VALIDATORS]
    return Response(response.status, headers, response.body, response.modified)


def ignoring_conditions(headers: Any) -> dict[str, str]:
    """The request's headers without its conditions: a server without validators cannot honour them."""
    items = headers.items() if headers is not None else ()
    return {name: value for name, value in items if name.lower() not in CONDITIONS}


class WithoutValidators:
    """Serves a world without validators while ``on`` (wraps its ``handle``); ``on = False`` restores them."""

    def __init__(self, world: World, on: bool = True) -> None:
        self.handle: Handler = world.handle
        self.on = on
        world.handle = self.answer  # type: ignore[method-assign]

    def answer(self, method: str, host: str, target: str, body: bytes = b"", headers: Any = None) -> Response:
        if not self.on:
            return self.handle(method, host, target, body, headers)
        return strip_validators(self.handle(method, host, target, body, ignoring_conditions(headers)))


def without_validators(world: World) -> WithoutValidators:
    """From now on serve ``world`` without ETag / Last-Modified and never a 304."""
    return WithoutValidators(world)
