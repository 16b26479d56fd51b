"""The codes of the three tables in template order, from schema.json, computed once."""

from __future__ import annotations

from functools import cache

from crawler.extract.schema import generation


@cache
def sec2_layout(
    gen: str, variants: bool = False
) -> tuple[tuple[str, tuple[str, ...], list[tuple[str, str]]], ...]:
    """((block, (row codes…), [(column code, column type)…]), …) in template order."""
    layout = []
    for block in generation(gen)["sec2"]["blocks"]:
        rows = [row["code"] for row in block["rows"]]
        if variants:
            rows += [row["code"] for row in block.get("variant_rows", [])]
        layout.append((block["code"], tuple(rows), [(c["code"], c["type"]) for c in block["columns"]]))
    return tuple(layout)


@cache
def required_sec2_rows(gen: str, block_code: str) -> frozenset[str]:
    block = next(b for b in generation(gen)["sec2"]["blocks"] if b["code"] == block_code)
    return frozenset(row["code"] for row in block["rows"])


@cache
def sec3_rows(gen: str) -> tuple[str, ...]:
    return tuple(row["code"] for row in generation(gen)["sec3"]["rows"])


@cache
def sec3_columns(gen: str) -> tuple[str, ...]:
    return tuple(col["code"] for col in generation(gen)["sec3"]["columns"])


@cache
def sec4_groups(gen: str) -> tuple[str, ...]:
    return tuple(group["code"] for group in generation(gen)["sec4"]["groups"])


@cache
def sec4_columns(gen: str) -> tuple[str, ...]:
    return tuple(col["code"] for col in generation(gen)["sec4"]["columns"])
