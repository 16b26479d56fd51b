"""A safe, explicit wire format for what crosses Redis: tagged JSON.

Requests (``Request.to_dict``: bytes bodies, cb_kwargs holding frozensets, tuples and small
dataclasses) and items (``ReportPage`` with raw bytes and an ``ExtractedReport`` of ``Decimal``
cells) need more than JSON, but a Redis reachable from several machines must not be able to make
a worker or the drainer run code, so there is no pickle here: JSON plus a handful of tags, and
dataclasses only from the allow-list below. Anything else is refused when encoding, loudly.

Also the serializer scrapy-redis uses for its queue (``SCHEDULER_SERIALIZER`` names this module:
it wants ``dumps`` and ``loads``).
"""

from __future__ import annotations

import base64
import dataclasses
import importlib
import json
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Any

TAG = "__xxgk__"

#: Every dataclass that may cross Redis, as "module:Name". Loading never imports anything else.
ALLOWED_DATACLASSES = (
    "crawler.items:ReportPage",
    "crawler.items:FetchedDocument",
    "crawler.items:KnownReport",
    "crawler.extract.model:Cell",
    "crawler.extract.model:CheckResult",
    "crawler.extract.model:Fact",
    "crawler.extract.model:Narrative",
    "crawler.extract.model:Attachment",
    "crawler.extract.model:Page",
    "crawler.extract.model:Metadata",
    "crawler.extract.model:Statistics",
    "crawler.extract.model:ExtractedReport",
    "crawler.extract.model:CellSource",
    "crawler.platforms.hanweb:JpageOptions",
)


class CodecError(ValueError):
    """A value that cannot cross Redis (encoding) or a message that is not ours (decoding)."""


@cache
def _allowed() -> dict[str, type]:
    classes = {}
    for name in ALLOWED_DATACLASSES:
        module, _, attr = name.partition(":")
        classes[name] = getattr(importlib.import_module(module), attr)
    return classes


def _type_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


def encode(value: Any) -> Any:
    """``value`` as plain JSON data (tags for what JSON lacks)."""
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, dict):
        if TAG not in value and all(isinstance(key, str) for key in value):
            return {key: encode(item) for key, item in value.items()}
        return {TAG: "dict", "items": [[encode(key), encode(item)] for key, item in value.items()]}
    if isinstance(value, (bytes, bytearray)):
        return {TAG: "bytes", "b64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, tuple):
        return {TAG: "tuple", "items": [encode(item) for item in value]}
    if isinstance(value, (set, frozenset)):
        # sorted, so that equal sets encode alike (scrapy-redis' priority queue is a set of messages)
        items = sorted((encode(item) for item in value), key=lambda item: json.dumps(item, sort_keys=True))
        return {TAG: "frozenset" if isinstance(value, frozenset) else "set", "items": items}
    if isinstance(value, Decimal):
        return {TAG: "decimal", "value": str(value)}
    if isinstance(value, datetime):
        return {TAG: "datetime", "value": value.isoformat()}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = _type_name(type(value))
        if name not in ALLOWED_DATACLASSES:
            raise CodecError(f"dataclass {name} is not allowed across Redis (codec.ALLOWED_DATACLASSES)")
        fields = {
            field.name: encode(getattr(value, field.name))
            for field in dataclasses.fields(value)
            if not _at_its_default(value, field)
        }
        return {TAG: "dataclass", "type": name, "fields": fields}
    raise CodecError(f"cannot send a {type(value).__name__} across Redis: {value!r:.80}")


def _at_its_default(value: Any, field: dataclasses.Field[Any]) -> bool:
    """A field holding its plain default travels as nothing (the decoder's class fills it in): so a
    field added to an item later (``ReportPage.rows``) reaches a drainer of the version before only
    when it is set, and workers and drainers can be upgraded one at a time."""
    if field.default is dataclasses.MISSING:
        return False
    current = getattr(value, field.name)
    return current is field.default or (type(current) is type(field.default) and current == field.default)


def decode(data: Any) -> Any:
    """The inverse of :func:`encode`."""
    if isinstance(data, list):
        return [decode(item) for item in data]
    if not isinstance(data, dict):
        return data
    tag = data.get(TAG)
    if tag is None:
        return {key: decode(item) for key, item in data.items()}
    if tag == "dict":
        return {decode(key): decode(item) for key, item in data["items"]}
    if tag == "bytes":
        return base64.b64decode(data["b64"])
    if tag == "tuple":
        return tuple(decode(item) for item in data["items"])
    if tag == "frozenset":
        return frozenset(decode(item) for item in data["items"])
    if tag == "set":
        return {decode(item) for item in data["items"]}
    if tag == "decimal":
        return Decimal(data["value"])
    if tag == "datetime":
        return datetime.fromisoformat(data["value"])
    if tag == "dataclass":
        cls = _allowed().get(data["type"])
        if cls is None:
            raise CodecError(f"refusing dataclass {data['type']!r}: not in codec.ALLOWED_DATACLASSES")
        return cls(**{key: decode(item) for key, item in data["fields"].items()})
    raise CodecError(f"unknown tag {tag!r}")


def dumps(value: Any) -> bytes:
    return json.dumps(encode(value), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(message: bytes | str) -> Any:
    try:
        return decode(json.loads(message))
    except CodecError:
        raise
    except (ValueError, KeyError, TypeError, ArithmeticError) as exc:  # bad JSON, UTF-8, fields, numbers
        raise CodecError(f"not an xxgk message: {type(exc).__name__}: {exc}") from exc
