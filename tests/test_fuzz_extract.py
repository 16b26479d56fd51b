"""Fuzz ``crawler.extract`` (hypothesis): mutated HTML, text and bytes never make an exception escape
``parse_page`` / ``extract_report``, and no input hangs (a per-example deadline, and a per-test
timeout as the backstop for a true infinite loop).

The seed corpus is every saved page and text under tests/fixtures plus report pages rendered by the
replica; mutations cut, duplicate and splice slices, insert hostile tokens (huge spans, deep nesting,
NULs, lone surrogates, CDATA ends, giant numbers, table labels out of place), flip bytes and lie
about the encoding. ``derandomize`` keeps CI runs reproducible; raise ``XXGK_FUZZ_SCALE`` locally
to search longer (e.g. ``XXGK_FUZZ_SCALE=10``).

``INPUT_KINDS`` lists what is fuzzed and how many examples each kind gets (≥ 10,000 in total).
Attachments (PDF, DOCX, XLSX, XLS/ET, PNG/JPG from tests/fixtures/documents) go through
``read_document`` with bytes flipped, cut and spliced; legacy .doc/.wps are left out because each read
starts LibreOffice (seconds), which the hostile-file tests cover instead.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.extract.documents import read_document
from crawler.extract.page import parse_page
from crawler.extract.report import extract_report

FIXTURES = Path(__file__).parent / "fixtures"
SCALE = float(os.environ.get("XXGK_FUZZ_SCALE", "1"))
WINDOW = 4000  # characters of a seed document per example: a table or two, and fast
DEADLINE = timedelta(seconds=20)  # per example; a report takes milliseconds, an OCR'd picture ~1-3 s

HOSTILE_TOKENS = [
    "<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", '<td rowspan="999999">', '<td colspan="-3">',
    '<td rowspan="0" colspan="65535">', "<th>", "<tbody>", "<br/>", "<p>", "</p>", "<div>" * 200, "</div>" * 50,
    "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>", "<?xml version='1.0'?>", "<meta charset=",
    '<meta httpequiv="ContentType" content="text/html; charset=gbk">', '<meta name="ArticleTitle" content="',
    "\x00", "\ufffd", "\ud800", "\u200b", "\u3000", "&#xD800;", "&#0;", "&nbsp;", "&", "<", ">", '"', "'",
    "9" * 40, "-1", "1e309", "NaN", "０１２３", "二〇二三年", "2023年", "1900年", "99999年", "（一）", "（更正）",
    "本年新收政府信息公开申请数量", "上年结转政府信息公开申请数量", "三、本年度办理结果", "行政复议", "行政诉讼",
    "政府信息公开工作年度报告", "发布日期：", "来源：", "\t", "\n" * 40, " " * 100, "|", "：", "、", "＝",
]
ENCODINGS = [None, "utf-8", "gbk", "gb2312", "gb18030", "latin-1", "big5", "utf-16", "no-such-codec"]


# -- the seed corpus ---------------------------------------------------------------------------------


@cache
def html_corpus() -> tuple[str, ...]:
    paths = sorted(FIXTURES.glob("html/**/*.html")) + sorted(FIXTURES.glob("pages/*.html"))
    paths += sorted(FIXTURES.glob("html/**/*.xml")) + sorted(FIXTURES.glob("challenges/*.html"))
    texts = [parse_source(path.read_bytes()) for path in paths]
    return tuple(texts + replica_pages())


@cache
def text_corpus() -> tuple[str, ...]:
    return tuple(path.read_text(encoding="utf-8") for path in sorted(FIXTURES.glob("seeds/*.txt")))


def parse_source(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def replica_pages() -> list[str]:
    """Report pages as the replica renders them: every format generation, both sites, one GBK trap."""
    from tests.replica.world import HY, WENDENG, build_world

    world = build_world(0, encoding_traps=True)
    pages = []
    for report in world.current_reports()[::9]:
        host = HY if HY in report.url else WENDENG
        response = world.handle("GET", host, report.url.split(host, 1)[1])
        if response.status == 200:
            pages.append(parse_source(response.body))
    return pages


# -- mutations ---------------------------------------------------------------------------------------


@st.composite
def mutated_text(draw: st.DrawFn, corpus: Callable[[], tuple[str, ...]]) -> str:
    """A window of a seed document with up to eight mutations."""
    document = draw(st.sampled_from(corpus()))
    if len(document) > WINDOW:
        start = draw(st.integers(0, len(document) - WINDOW))
        document = document[start : start + WINDOW]
    for _ in range(draw(st.integers(0, 8))):
        document = draw(st.sampled_from(TEXT_MUTATIONS))(draw, document)
    return document


def _span(draw: st.DrawFn, text: str) -> tuple[int, int]:
    start = draw(st.integers(0, len(text)))
    return start, draw(st.integers(start, min(len(text), start + 2000)))


def _delete(draw: st.DrawFn, text: str) -> str:
    start, end = _span(draw, text)
    return text[:start] + text[end:]


def _duplicate(draw: st.DrawFn, text: str) -> str:
    start, end = _span(draw, text)
    return text[:end] + text[start:end] * draw(st.integers(1, 5)) + text[end:]


def _insert_token(draw: st.DrawFn, text: str) -> str:
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.sampled_from(HOSTILE_TOKENS)) + text[at:]


def _insert_random(draw: st.DrawFn, text: str) -> str:
    at = draw(st.integers(0, len(text)))
    return text[:at] + draw(st.text(max_size=30)) + text[at:]


def _truncate(draw: st.DrawFn, text: str) -> str:
    return text[: draw(st.integers(0, len(text)))]


def _swap(draw: st.DrawFn, text: str) -> str:
    at = draw(st.integers(0, len(text)))
    return text[at:] + text[:at]


TEXT_MUTATIONS = [_delete, _duplicate, _insert_token, _insert_token, _insert_random, _truncate, _swap]


@st.composite
def mutated_bytes(draw: st.DrawFn) -> tuple[bytes, str | None]:
    """A mutated page encoded as UTF-8 or GBK, then bytes flipped, cut or spliced; and a label that
    may lie about the encoding."""
    text = draw(mutated_text(html_corpus))
    data = text.encode(draw(st.sampled_from(["utf-8", "gb18030"])), errors="replace")
    for _ in range(draw(st.integers(0, 6))):
        operation = draw(st.sampled_from(["flip", "insert", "cut", "bom"]))
        at = draw(st.integers(0, len(data)))
        if operation == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif operation == "insert":
            data = data[:at] + draw(st.binary(max_size=24)) + data[at:]
        elif operation == "cut":
            data = data[:at]
        else:
            data = draw(st.sampled_from([b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff"])) + data
    return data, draw(st.sampled_from(ENCODINGS))


#: attachment fixtures fuzzed by their bytes (not .doc/.wps: LibreOffice per example)
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".xlsx", ".xls", ".et", ".png", ".jpg")


@cache
def document_corpus() -> tuple[tuple[str, bytes], ...]:
    paths = sorted(p for p in (FIXTURES / "documents").iterdir() if p.suffix in DOCUMENT_SUFFIXES)
    return tuple((path.name, path.read_bytes()) for path in paths)


@st.composite
def mutated_document(draw: st.DrawFn) -> tuple[str, bytes]:
    """An attachment with bytes flipped, inserted, cut or spliced from another attachment; its name
    kept or swapped for another (a wrong extension)."""
    name, data = draw(st.sampled_from(document_corpus()))
    for _ in range(draw(st.integers(1, 6))):
        operation = draw(st.sampled_from(["flip", "flip", "insert", "cut", "splice"]))
        at = draw(st.integers(0, max(0, len(data) - 1)))
        if operation == "flip" and data:
            data = data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :]
        elif operation == "insert":
            data = data[:at] + draw(st.binary(max_size=64)) + data[at:]
        elif operation == "cut":
            data = data[:at]
        else:
            _, other = draw(st.sampled_from(document_corpus()))
            data = data[:at] + other[draw(st.integers(0, len(other))) :]
    if draw(st.booleans()):
        name = draw(st.sampled_from(document_corpus()))[0]
    return name, data


# -- what is fuzzed ----------------------------------------------------------------------------------


def check_html(text: str) -> None:
    parse_page(text, url="http://www.wendeng.gov.cn/art/2024/1/2/art_1_2.html")
    extract_report(text, url="http://www.hy.gov.cn/xxgk/t20240102_1.html", kind="html")


def check_page(text: str) -> None:
    parse_page(text, url="http://www.hy.gov.cn/xxgk/zfxxgknb/list.html")


def check_text(text: str) -> None:
    extract_report(text, kind="text", list_title=text[:40] or None)


def check_bytes(source: tuple[bytes, str | None]) -> None:
    data, encoding = source
    parse_page(data, url="http://www.hy.gov.cn/", encoding=encoding)
    extract_report(data, url="http://www.hy.gov.cn/", encoding=encoding)


def check_document(source: tuple[str, bytes]) -> None:
    name, data = source
    result = read_document(data, filename=name)
    assert result.error is None or result.error.split(":", 1)[0].strip(), result.error  # a labelled error


@dataclass(frozen=True)
class InputKind:
    strategy: Callable[[], st.SearchStrategy[Any]]
    check: Callable[[Any], None]
    examples: int


INPUT_KINDS: dict[str, InputKind] = {
    "html-page": InputKind(lambda: mutated_text(html_corpus), check_page, 4000),
    "html-report": InputKind(lambda: mutated_text(html_corpus), check_html, 2200),
    "text-report": InputKind(lambda: mutated_text(text_corpus), check_text, 2200),
    "bytes": InputKind(mutated_bytes, check_bytes, 1600),
    # a mutated picture that still decodes is OCR'd (about a second): few, but every format
    "attachment": InputKind(mutated_document, check_document, 200),
}


def test_the_fuzz_runs_at_least_ten_thousand_inputs() -> None:
    assert sum(kind.examples for kind in INPUT_KINDS.values()) >= 10_000


@pytest.mark.timeout(300)
@pytest.mark.parametrize("name", list(INPUT_KINDS))
def test_no_exception_escapes_and_nothing_hangs(name: str) -> None:
    kind = INPUT_KINDS[name]

    @settings(
        max_examples=int(kind.examples * SCALE),
        deadline=DEADLINE,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )
    @given(kind.strategy())
    def fuzz(value: Any) -> None:
        kind.check(value)

    fuzz()
