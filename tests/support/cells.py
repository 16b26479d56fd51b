"""Reading an extraction's cells against what a golden file expects (tests/test_extract_documents*.py)."""

from __future__ import annotations

from crawler.extract.model import Statistics


def wrong_cells(stats: Statistics, expected: dict[str, str | None]) -> dict[str, str]:
    wrong = {}
    for key, printed in expected.items():
        cell = cell_at(stats, key)
        if cell.raw != printed or cell.flag not in (None, "approx", "raw_amount"):
            wrong[key] = f"printed {printed!r}, read {cell}"
    return wrong


def cell_at(stats: Statistics, key: str):
    table, *path = key.split(".")
    node = getattr(stats, table)
    if table == "sec2":
        block, row, column = path[0], ".".join(path[1:-1]), path[-1]
        return node[block][row][column]
    return node[".".join(path[:-1])][path[-1]]
