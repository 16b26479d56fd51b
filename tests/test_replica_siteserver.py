"""The SiteServer-like replica host (tests/replica/siteserver.py): deterministic per seed, SiteServer's
URL grammar, and the traits it imitates (9-page window, select-only and goPage pagers, short entries)."""

from __future__ import annotations

import re

from tests.replica.world import UNSEEN_SITES, World, build_world

HOST = "www.xunyi.gov.cn"


def world(seed: int = 0) -> World:
    return build_world(seed, sites=UNSEEN_SITES)


def text(built: World, path: str) -> str:
    return built.pages[(HOST, path)].body.decode("utf-8")


def test_the_host_is_deterministic_and_the_seed_changes_it() -> None:
    first, again, other = world(0).manifest(), world(0).manifest(), world(3).manifest()
    assert first == again
    assert first["reports"] != other["reports"]


def test_urls_follow_siteserver_grammar_with_town_sub_sites() -> None:
    built = world()
    paths = {r.url.removeprefix(f"http://{HOST}") for r in built.current_reports()}
    assert all(re.fullmatch(r"(/[a-z]+)?/contents/\d+/\d+\.html", p) for p in paths)
    assert any(re.fullmatch(r"/[a-z]+/contents/\d+/\d+\.html", p) for p in paths)  # a town's sub-site
    lists = [p for h, p in built.pages if h == HOST and "/channels/" in p]
    assert any(re.search(r"/channels/\d+_\d+\.html$", p) for p in lists)


def test_the_long_column_windows_its_page_numbers() -> None:
    built = world()
    column = next(c for c in built.columns["xunyi_style"].column_map.values() if c.group == "政府")
    pages = -(-len(column.items) // column.per_page)
    first = text(built, f"{column.path}.html")
    assert pages > 9 and f'href="{column.path}_{pages - 1}.html">[' not in first  # hidden by the window
    assert f'href="{column.path}_{pages}.html">末页' in first


def test_departments_page_by_select_only_and_print_bare_titles() -> None:
    built = world()
    columns = [c for c in built.columns["xunyi_style"].column_map.values() if c.group == "部门"]
    own = lambda path: any(path == f"{c.path}.html" or path.startswith(f"{c.path}_") for c in columns)  # noqa: E731
    pages = [text(built, p) for h, p in built.pages if h == HOST and own(p)]
    assert all("<select onchange=" in page and "下一页" not in page for page in pages)
    assert any(re.search(r">\d{4}年度报告</a><span class=\"date\">\d{4}/\d{2}/\d{2}<", page) for page in pages)


def test_towns_page_by_script_only() -> None:
    built = world()
    column = next(c for c in built.columns["xunyi_style"].column_map.values() if c.group == "乡镇街道")
    first = text(built, f"{column.path}.html")
    assert 'href="javascript:goPage(2)">下一页' in first and f'"{column.path}_"+page+".html"' in first
    assert re.search(r"<em>\d{4}</em>\d{2}-\d{2}</span><a ", first)
