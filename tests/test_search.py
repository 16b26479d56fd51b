"""Chinese full-text search: the bigram shadow text, the query rewrite, and the index refresh."""

from __future__ import annotations

import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlite_utils import Database

from crawler.search import (
    FTS_TABLE,
    SEARCH_TABLE,
    fts_query,
    han_run_tokens,
    index_text,
    normalise,
    refresh_search_index,
    segments,
    snippet,
)


def test_han_runs_become_bigrams_plus_their_last_character() -> None:
    assert index_text("行政复议") == "行政 政复 复议 议"
    assert index_text("局") == "局"


def test_other_text_is_kept_for_unicode61_and_full_width_is_folded() -> None:
    assert index_text("２０２３年度，PDF") == "2023 年度 度 ,pdf"


def index_text_by_segments(text: str) -> str:
    """The index text as the module docstring defines it, piece by piece (index_text inlines it)."""
    out: list[str] = []
    for is_han, piece in segments(normalise(text)):
        out.extend(han_run_tokens(piece, bounded=True) if is_han else [piece])
    return " ".join(out)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="行政复议局〇\U00020001\U0003134faZ２ \n\t，。、.\u33ff\u4dc0\ufb00", max_size=200))
def test_index_text_is_the_pieces_tokenised_one_by_one(text: str) -> None:
    expected = index_text_by_segments(text)
    assert index_text(text) == expected


@pytest.mark.parametrize(
    ("query", "expression"),
    [
        ("复议", '"复议"'),
        ("行政复议", '"行政 政复 复议"'),
        ("局", '"局" *'),
        ("2023年", '"2023 年" *'),
        ("复议2件", '"复议 议 2 件" *'),
        ("复议 诉讼", '"复议" "诉讼"'),
        ("annual report", '"annual" "report"'),  # as Datasette's own escape_fts
        ('"行政 复议"', '"行政 政 复议"'),
        ("", ""),
        ('"', ""),
    ],
)
def test_queries_become_phrases_that_mirror_the_index(query: str, expression: str) -> None:
    assert fts_query(query) == expression


def memory_index(texts: list[str]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("create virtual table t using fts5(body)")
    conn.executemany("insert into t(rowid, body) values (?, ?)", [(i, index_text(x)) for i, x in enumerate(texts)])
    return conn


def hits(conn: sqlite3.Connection, query: str) -> set[int]:
    return {r[0] for r in conn.execute("select rowid from t where t match ?", [fts_query(query)])}


def test_two_character_terms_phrases_and_names_match_only_where_adjacent() -> None:
    conn = memory_index(["申请行政复议2件，提起行政诉讼1件", "复查议定事项", "海原县卫生健康局2023年报告"])
    assert hits(conn, "复议") == {0}
    assert hits(conn, "诉讼") == {0}
    assert hits(conn, "请行") == {0}  # any substring, not only dictionary words
    assert hits(conn, "复议2件") == {0}
    assert hits(conn, "海原县卫生健康局") == {2}
    assert hits(conn, "卫生健康局 2023") == {2}
    assert hits(conn, "议") == {0, 1}
    assert hits(conn, "复查议") == {1}
    assert hits(conn, "复议 复查") == set()


HAN = st.sampled_from("复议诉讼行政申请公开")


@settings(max_examples=200, deadline=None)
@given(text=st.text(HAN, min_size=1, max_size=30), query=st.text(HAN, min_size=1, max_size=5))
def test_a_han_query_matches_exactly_when_it_is_a_substring(text: str, query: str) -> None:
    assert bool(hits(memory_index([text]), query)) == (query in text)


@settings(max_examples=100, deadline=None)
@given(
    pieces=st.lists(st.one_of(st.text(HAN, min_size=1, max_size=6), st.sampled_from(["2023", "PDF", "，", " "])), min_size=1, max_size=8),
    data=st.data(),
)
def test_a_query_cut_from_mixed_text_at_han_positions_matches(pieces: list[str], data: st.DataObject) -> None:
    text = "".join(pieces)
    han_positions = [i for i, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
    if not han_positions:
        return
    start = data.draw(st.sampled_from(han_positions))
    end = data.draw(st.sampled_from([p + 1 for p in han_positions if p >= start]))
    query = text[start:end].strip()
    if query and '"' not in query:
        assert hits(memory_index([text]), query) == {0}


def test_snippet_shows_the_first_match_in_the_original_text() -> None:
    text = "前言。" * 30 + "本年度共收到行政复议申请2件。" + "后记。" * 30
    shown = snippet(text, "复议", width=6)
    assert shown == "…度共收到行政复议申请2件。后…"


# --- the index over the real schema --------------------------------------------------------------


def add_report(db, report_id: int, agency: str, text: str, year: int = 2023) -> None:
    db["reports"].insert(
        {"id": report_id, "site": "wendeng", "url": f"http://x.test/{report_id}", "agency": agency,
         "agency_key": agency, "year": year, "title": f"{agency}{year}年政府信息公开工作年度报告", "text": text}
    )  # fmt: skip


def search(db, query: str) -> set[int]:
    sql = f"select rowid from [{FTS_TABLE}] where [{FTS_TABLE}] match ?"
    return {r[0] for r in db.execute(sql, [fts_query(query)]).fetchall()}


def test_refresh_is_idempotent_and_incremental(fresh_db: Database) -> None:
    db = fresh_db
    add_report(db, 1, "威海市文登区财政局", "收到行政复议申请1件")
    add_report(db, 2, "海原县卫生健康局", "未发生行政诉讼")
    refresh_search_index(db)
    refresh_search_index(db)
    assert db[SEARCH_TABLE].count == 2
    assert search(db, "复议") == {1} and search(db, "诉讼") == {2} and search(db, "文登区财政局") == {1}

    digests = {r["id"]: r["digest"] for r in db[SEARCH_TABLE].rows}
    db["reports"].update(2, {"text": "收到行政复议申请3件"})
    db["reports"].delete(1)
    refresh_search_index(db)
    assert search(db, "复议") == {2} and search(db, "诉讼") == set() and search(db, "财政局") == set()
    assert db[SEARCH_TABLE].get(2)["digest"] != digests[2]
    assert db.execute(f"insert into [{FTS_TABLE}]([{FTS_TABLE}]) values ('integrity-check')")
