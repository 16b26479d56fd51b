"""The canonical codes of schema.json, loaded once, with label-matching keys precomputed."""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from importlib import resources
from typing import Any

_SPACE = re.compile(r"\s+")
# NFKC leaves these as they are; the templates print both widths of brackets and quotes.
_FOLD = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "、": ",", "，": ","})


def match_key(label: str) -> str:
    """The form in which labels are compared: NFKC, no whitespace, brackets and quotes folded.

    ``match_key("第二十条第（一）项") == match_key("第二十条第(一) 项") == "第二十条第(一)项"``
    """
    return _SPACE.sub("", unicodedata.normalize("NFKC", label)).translate(_FOLD)


@cache
def schema() -> dict[str, Any]:
    """schema.json as shipped inside the package."""
    text = resources.files(__package__).joinpath("schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def generation(code: str) -> dict[str, Any]:
    """The table definitions of G1 or G2."""
    definitions: dict[str, Any] = schema()["generations"][code]
    return definitions


def null_markers() -> frozenset[str]:
    return frozenset(schema()["cell"]["null_markers"])


def check_rules() -> list[dict[str, Any]]:
    return list(schema()["checks"])
