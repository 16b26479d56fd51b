"""The one exception readers raise internally; ``readers.read`` turns it into ``error``."""

from __future__ import annotations


class DocumentError(Exception):
    """A clear, one-line reason prefixed by its kind: "truncated: …", "zip-bomb: …", "too-large: …"."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(f"{kind}: {detail}")
        self.kind = kind
