"""The job dir's request queue (``SCHEDULER_DISK_QUEUE``): Scrapy's pickle LIFO disk queue, with a
cheaper way to name a request's callback and errback.

Scrapy's ``Request.to_dict(spider=…)`` finds the spider method behind a bound callback with
``inspect.getmembers(spider)`` — every attribute of the spider, twice per request (callback and
errback): about half a millisecond of CPU per request pushed to disk, more than the disk write. A
bound method's own ``__name__`` names it; looking that name up on the spider and finding the same
function proves it, in two attribute reads. Anything else (a partial, a function that is not the
spider's, a renamed method) goes the documented way, so what is written is the same dict, and
``request_from_dict`` reads it back unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scrapy import Request
from scrapy.squeues import PickleLifoDiskQueue

_UNNAMED = object()  # not a method found by its own name: to_dict decides


def method_name(spider: Any, func: Callable[..., Any] | str | None) -> Any:
    """What ``to_dict`` writes for ``func``: its spider method's name, ``func`` itself when it is not
    callable, or ``_UNNAMED`` when only Scrapy's full search can tell."""
    if not callable(func):
        return func
    inner = getattr(func, "__func__", None)
    name = getattr(inner, "__name__", None)
    if spider is None or not isinstance(name, str):
        return _UNNAMED
    found = getattr(getattr(spider, name, None), "__func__", None)
    return name if found is inner else _UNNAMED


def request_to_dict(request: Request, spider: Any) -> dict[str, Any]:
    """``request.to_dict(spider=spider)``, without the search through every spider attribute."""
    callback, errback = method_name(spider, request.callback), method_name(spider, request.errback)
    if callback is _UNNAMED or errback is _UNNAMED:
        return request.to_dict(spider=spider)
    d: dict[str, Any] = {"url": request.url, "callback": callback, "errback": errback,
                         "headers": dict(request.headers)}
    for attr in request.attributes:
        d.setdefault(attr, getattr(request, attr))
    if type(request) is not Request:
        d["_class"] = request.__module__ + "." + request.__class__.__name__
    return d


class JobDiskQueue(PickleLifoDiskQueue):  # type: ignore[valid-type,misc]
    """Scrapy's default disk queue; only the request's serialisation is cheaper (see above)."""

    def push(self, request: Request) -> None:
        # skip ScrapyRequestQueue.push (its to_dict), straight to the pickling queue beneath it
        super(PickleLifoDiskQueue, self).push(request_to_dict(request, self.spider))  # type: ignore[misc]
