"""What the one writer of a reparse no longer does itself must give what it gave: a body's hash read
from its checked digest, delivery without decoding pages that cannot refresh, remembered body
identities, reports pickled field by field, common sentences found by a mapper."""

from __future__ import annotations

import base64
import gzip
import hashlib
import pickle
from decimal import Decimal
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse
from scrapy.utils.response import get_meta_refresh

from crawler.archive.reader import _checked_sha256, iter_responses
from crawler.bodies import Scope, body_identity
from crawler.db import open_db
from crawler.extract.model import Cell, CheckResult, Fact
from crawler.reparse.delivery import DeliveryRules, may_refresh
from crawler.similarity import common_sentences
from tests.support.played_archive import Archive, page_context

PAGE = "<html><head><title>年报</title></head><body><p>某镇2023年政府信息公开工作年度报告</p></body></html>"


def test_a_checked_sha256_digest_is_the_hash_of_the_body() -> None:
    body = b"some payload"
    declared = "sha256:" + base64.b32encode(hashlib.sha256(body).digest()).decode()
    assert _checked_sha256(declared) == hashlib.sha256(body).hexdigest()
    assert _checked_sha256("sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()) is None
    assert _checked_sha256("sha256:" + hashlib.sha256(body).hexdigest().upper()) is None  # hex: hashed again
    assert _checked_sha256("sha256:not base32!") is None
    assert _checked_sha256("") is None


def test_every_record_reads_back_with_the_hash_of_its_decoded_body(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "warc")
    plain, zipped = PAGE.encode("utf-8"), (PAGE + "<!-- gzip -->").encode("utf-8")
    archive.fetch("http://a.example/1.html", plain, page_context("a", "年报一"))
    archive.fetch("http://a.example/2.html", gzip.compress(zipped), page_context("a", "年报二"),
                  headers={"Content-Encoding": "gzip"})  # fmt: skip
    archive.fetch("http://a.example/3.html", plain, page_context("a", "年报三"))  # a revisit of 1
    archive.close()
    records = list(iter_responses(tmp_path / "warc"))
    assert [r.body for r in records] == [plain, zipped, plain]
    assert records[2].revisit_of is not None
    assert all(r.payload_sha256 == hashlib.sha256(r.body).hexdigest() for r in records)


@pytest.mark.parametrize(
    ("body", "encoding"),
    [
        (b'<html><head><meta http-equiv="Refresh" content="0; url=/next.html"></head></html>', "utf-8"),
        (b'<html><head><META HTTP-EQUIV="REFRESH" CONTENT="5;URL=/x"></head></html>', "utf-8"),
        (b'<html><head><meta http-equiv="refresh" content="0;url=/x"></head></html>', "utf-8"),
        ('<html><head><meta http-equiv="refresh" content="0;url=/新">年报</head></html>'.encode("gbk"), "gbk"),
        ('<html><head><meta http-equiv="refresh" content="0;url=/x"></head></html>'.encode("utf-16"), "utf-16"),
        (PAGE.encode("utf-8"), "utf-8"),
        (PAGE.encode("gbk"), "gbk"),
        (b"<html><body>refreshing news, no meta</body></html>", "utf-8"),
    ],
)
def test_delivery_decides_a_meta_refresh_as_scrapy_does(body: bytes, encoding: str) -> None:
    response = HtmlResponse("http://a.example/", body=body, encoding=encoding)
    scrapy_says = get_meta_refresh(HtmlResponse("http://a.example/", body=body, encoding=encoding))
    if not may_refresh(response):  # only ever says "cannot" when Scrapy finds none
        assert scrapy_says == (None, None)
    assert may_refresh(response) or scrapy_says[1] is None


def test_a_page_without_the_word_is_not_decoded_to_rule_a_refresh_out() -> None:
    assert not may_refresh(HtmlResponse("http://a.example/", body=PAGE.encode("gbk"), encoding="gbk"))
    assert may_refresh(HtmlResponse("http://a.example/", body=PAGE.encode("utf-16"), encoding="utf-16"))
    rules = DeliveryRules.from_settings()
    assert rules.meta_refresh  # the project's setting: the check runs at all


def test_a_remembered_body_identity_is_the_one_computed() -> None:
    scope = Scope(region="山东省威海市", county="文登区", division_code="371003")
    names = ["威海市文登区大水泊镇人民政府", "大水泊镇人民政府", "文登区财政局", "威海市财政局", "区人民政府"]
    for name in names * 2:  # the second time from memory
        assert body_identity(name, scope) == body_identity.__wrapped__(name, scope)


def test_cells_checks_and_facts_pickle_back_equal() -> None:
    values = [Cell(Decimal("1.5"), "1.5", "approx"), Cell(None, "-", "marker"), Cell(3),
              CheckResult("sec3_totals", "fail", True, "差 1", Decimal("-1"), True), CheckResult("r", "pass", False),
              Fact("proactive_total", 12, "12条", approx=True)]  # fmt: skip
    for protocol in (2, 4, pickle.HIGHEST_PROTOCOL):
        again = pickle.loads(pickle.dumps(values, protocol=protocol))
        assert again == values and [type(v) for v in again] == [type(v) for v in values]


def _reports_db(path: Path, texts: dict[str, list[str]]) -> None:
    db = open_db(path)
    for agency, reports in texts.items():
        for year, text in enumerate(reports, start=2019):
            db["reports"].insert({"site": "s", "url": f"http://s/{agency}/{year}", "agency": agency,
                                  "agency_key": agency, "year": year, "text": text})  # fmt: skip
    db.close()


def test_common_sentences_are_the_same_whatever_maps_the_reports(tmp_path: Path) -> None:
    stock = "本机关严格落实政府信息公开制度。各项工作有序推进并取得实效。"
    texts = {f"第{n}镇人民政府": [stock + f"今年第{n}镇修缮了第{y}座桥梁和道路。" for y in range(3)] for n in range(6)}
    _reports_db(tmp_path / "x.db", texts)
    db = open_db(tmp_path / "x.db")
    calls: list[int] = []

    def elsewhere(func, inputs):  # type: ignore[no-untyped-def]  # a pool's map: the same results in order
        inputs = list(inputs)
        calls.append(len(inputs))
        return [func(one) for one in inputs]

    try:
        mapped, plain = common_sentences(db, map_reports=elsewhere), common_sentences(db)
    finally:
        db.close()
    assert mapped == plain and calls == [18]
    assert any("各项工作有序推进" in key for key in plain)


def test_plain_rows_are_stored_as_sqlite_utils_stores_them(tmp_path: Path) -> None:
    from crawler.plainsql import insert_rows

    rows = [{"id": 1, "name": "甲", "score": 0.5, "note": None}, {"id": 2, "name": "乙", "score": 2, "note": "x"}]
    db = open_db(tmp_path / "x.db", migrate=False)
    try:
        for table in ("plain", "utils"):
            db.table(table).create({"id": int, "name": str, "score": float, "note": str}, pk="id")
        insert_rows(db, "plain", rows)
        db.table("utils").insert_all(rows)
        again = [{"id": 2, "name": "丙", "score": 3.0, "note": None}, {"id": 3, "name": "丁", "score": 1.0, "note": ""}]
        insert_rows(db, "plain", again, "ON CONFLICT([id]) DO UPDATE SET [name] = excluded.[name], "
                    "[score] = excluded.[score], [note] = excluded.[note]")  # fmt: skip
        db.table("utils").upsert_all(again, pk="id")
        query = "SELECT id, name, score, typeof(score), note FROM [{}] ORDER BY id"
        assert db.execute(query.format("plain")).fetchall() == db.execute(query.format("utils")).fetchall()
    finally:
        db.close()


def test_a_page_comes_back_from_the_pool_without_the_bodies_the_writer_holds() -> None:
    from crawler.items import FetchedDocument, ReportPage
    from crawler.reparse.pooled import for_the_writer, with_bodies

    pdf = FetchedDocument("s", "http://s/a.pdf", "http://s/a.pdf", 200, "application/pdf", "ab", "t", "attachment",
                          body=b"%PDF-1.4" * 1000, filename="a.pdf")  # fmt: skip
    failed = FetchedDocument("s", "http://s/b.jpg", "http://s/b.jpg", 0, None, "", "t", "image", error="missing: x")
    sent = ReportPage("s", "http://s/1.html", "http://s/1.html", 200, "text/html", PAGE.encode("utf-8"), "utf-8",
                      "cd", "t", attachments=[pdf, failed], text="already normalised")  # fmt: skip
    returned = pickle.loads(pickle.dumps(for_the_writer(sent, stages=())))
    assert returned.body == b"" and [d.body for d in returned.attachments] == [None, None]
    assert with_bodies(returned, sent) == sent  # everything else crossed as it was

