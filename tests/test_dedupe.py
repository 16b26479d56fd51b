"""The dedupe decisions, tested directly as pure functions."""

from __future__ import annotations

import hashlib
import re
import sys

import pytest

from pipelines.dedupe import Incoming, Known, agency_key, content_hash, decide, is_correction, preferred_url

KNOWN = Known(
    report_id=7,
    content_hash="aaa",
    url="http://www.wendeng.gov.cn/art/2023/1/16/art_182996_1.html",
    title="威海市文登区财政局2022年政府信息公开工作年度报告",
    published="2023-01-16",
    last_seen="2026-11-01T00:00:00Z",
)


def incoming(**changes: object) -> Incoming:
    fields = {
        "content_hash": "aaa",
        "url": "http://www.wendeng.gov.cn/art/2023/1/16/art_122236_9.html",
        "title": KNOWN.title,
        "published": "2023-01-16",
        "fetched_at": "2026-11-01T00:00:05Z",
    } | changes
    return Incoming(**fields)  # type: ignore[arg-type]


def test_unknown_body_and_year_is_new() -> None:
    assert decide(None, incoming()).kind == "new"


def test_same_text_at_another_url_is_the_same_report() -> None:
    assert decide(KNOWN, incoming()).kind == "same"


def test_same_report_keeps_one_canonical_url_whatever_the_order() -> None:
    first, second = KNOWN.url, incoming().url
    assert preferred_url(first, second, False) == preferred_url(second, first, False)


def test_alias_view_never_becomes_canonical() -> None:
    alias = "http://www.wendeng.gov.cn/module/xxgk/xxgkAnnualReport.jsp?area=11371081MB1234567X&fbtime=2022"
    assert decide(KNOWN, incoming(url=alias, is_alias=True)).canonical_url == KNOWN.url


def test_changed_text_captured_later_is_a_newer_version() -> None:
    assert decide(KNOWN, incoming(content_hash="bbb", url=KNOWN.url, fetched_at="2026-12-01")).kind == "newer_version"


def test_correction_supersedes_the_original() -> None:
    corrected = incoming(content_hash="bbb", title=f"{KNOWN.title}（更正）", published="2023-01-10")
    assert decide(KNOWN, corrected).kind == "newer_version"


def test_original_met_after_its_correction_is_an_older_version() -> None:
    correction = Known(7, "bbb", KNOWN.url, f"{KNOWN.title}（更正）", "2023-02-01", "2026-11-01T00:00:00Z")
    assert decide(correction, incoming(content_hash="aaa")).kind == "older_version"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("…2022年政府信息公开工作年度报告（更正）", True),
        ("…2022年政府信息公开工作年度报告(修订版)", True),
        ("…2022年政府信息公开工作年度报告", False),
        (None, False),
    ],
)
def test_is_correction(title: str | None, expected: bool) -> None:
    assert is_correction(title) is expected


def test_unnamed_body_is_keyed_by_url() -> None:
    assert agency_key(None, "http://x/1.html") == "url:http://x/1.html"


def test_content_hash_ignores_whitespace_only_differences() -> None:
    assert content_hash("一、总体情况\n 本年…") == content_hash("一、总体情况 本年…")


def test_content_hash_drops_every_character_regex_whitespace_drops() -> None:
    # the hash names stored reports: it must stay what re.sub(r"\s+", "") made, for every character
    every = "".join(chr(point) for point in range(sys.maxunicode + 1) if not 0xD800 <= point <= 0xDFFF)
    assert content_hash(every) == hashlib.sha256(re.sub(r"\s+", "", every).encode("utf-8")).hexdigest()
