"""parse_page on hand-written Hanweb, TRS and legacy-GBK skeletons (sites.md §1.3, §2.4, §6.5)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.extract.model import Attachment
from crawler.extract.page import decode_html, page_links, parse_page

PAGES = Path(__file__).parent / "fixtures" / "pages"
HANWEB_URL = "http://www.wendeng.gov.cn/art/2026/1/19/art_182996_6093007.html"
TRS_URL = "http://www.hy.gov.cn/xxgk/zfxxgknb/202303/t20230316_3912345.html"
GBK_URL = "http://www.example-d.gov.cn/a/zhengfuxinxigongkai/zfxxgknb/2020/0115/123.html"


@pytest.fixture(scope="module")
def hanweb():
    return parse_page((PAGES / "hanweb_article.html").read_bytes(), url=HANWEB_URL)


@pytest.fixture(scope="module")
def trs():
    return parse_page((PAGES / "trs_article.html").read_bytes(), url=TRS_URL)


@pytest.fixture(scope="module")
def gbk():
    return parse_page((PAGES / "legacy_gbk.html").read_bytes(), url=GBK_URL)


# Hanweb ---------------------------------------------------------------------------------------


def test_hanweb_title_from_article_title_meta(hanweb) -> None:
    assert hanweb.title == "威海市文登区财政局2025年政府信息公开工作年度报告"


def test_hanweb_meta_keeps_key_case(hanweb) -> None:
    assert (hanweb.meta["PubDate"], hanweb.meta["ContentSource"]) == (
        "2026-01-19 09:49",
        "威海市文登区财政局",
    )


def test_hanweb_date_line(hanweb) -> None:
    assert hanweb.date_line == "发布日期：2026-01-19 09:49:19"


def test_hanweb_source(hanweb) -> None:
    assert hanweb.source == "威海市文登区财政局"


def test_hanweb_body_starts_with_the_report(hanweb) -> None:
    assert hanweb.body_text.split("\n")[0].startswith("根据《中华人民共和国政府信息公开条例》")


def test_hanweb_body_leaves_out_the_chrome(hanweb) -> None:
    assert "点击次数" not in hanweb.body_text and "主办" not in hanweb.body_text


def test_hanweb_br_splits_lines(hanweb) -> None:
    assert "如对本报告有疑问，请与局办公室联系。" in hanweb.body_text.split("\n")


def test_hanweb_table_row_is_tab_separated_with_empty_cells(hanweb) -> None:
    assert "0\t0\t0\t0\t0\t\t0" in hanweb.body_text.split("\n")


def test_hanweb_cell_with_br_is_one_cell(hanweb) -> None:
    assert "结果 维持\t结果纠正\t其他结果\t尚未审结\t总计" in hanweb.body_text.split("\n")


def test_hanweb_image_placeholder_in_text(hanweb) -> None:
    assert "[image: 20260119094512]" in hanweb.body_text.split("\n")


def test_hanweb_body_html_is_the_zoom_div(hanweb) -> None:
    assert hanweb.body_html.startswith('<div class="art_con" id="zoom">')


def test_hanweb_attachments(hanweb) -> None:
    assert hanweb.attachments == [
        Attachment(
            url="http://www.wendeng.gov.cn/module/download/downfile.jsp?classid=0&showname=%E7%BB%9F%E8%AE%A1%E8%A1%A8.pdf"
            "&filename=ab12cd34ef56ab12cd34ef56ab12cd34.pdf",
            name="统计表.pdf",
        ),
        Attachment(
            url="http://180.76.149.248:88/book/2025dzs/caizheng/files/basic-html/page1.html",
            name="电子书",
            kind="flipbook",
        ),
        Attachment(
            url="http://www.wendeng.gov.cn/picture/0/20260119094512.jpg", name="20260119094512", kind="image"
        ),
    ]


# TRS ------------------------------------------------------------------------------------------


def test_trs_title_from_h1(trs) -> None:
    assert trs.title == "海原县人民政府办公室2022年政府信息公开工作年度报告"


def test_trs_date_line_from_the_metadata_table(trs) -> None:
    assert trs.date_line == "发布日期：2023-01-16"


def test_trs_source_from_the_publisher_cell(trs) -> None:
    assert trs.source == "海原县人民政府办公室"


def test_trs_body_is_the_editor_without_leaked_style(trs) -> None:
    assert trs.body_text.split("\n")[:2] == [
        "现公布海原县人民政府办公室2022年政府信息公开工作年度报告。",
        "2022年度主动公开政府信息1,256条。",
    ]


def test_trs_attachments_resolve_against_the_article_folder(trs) -> None:
    assert [(a.url, a.kind) for a in trs.attachments] == [
        ("http://www.hy.gov.cn/xxgk/zfxxgknb/202303/P020230116512345678901.pdf", "attachment"),
        ("http://www.hy.gov.cn/xxgk/zfxxgknb/202303/W020230116512345678901.jpg", "image"),
    ]


def test_two_zz_xl_ct_blocks_take_the_content_one() -> None:
    html = """<div class="zz-xl"><h1>某县2022年政府信息公开工作年度报告</h1>
      <div class="zz-xl-ct"><p>一、总体情况</p><p>2022年，某县主动公开政府信息100条。</p></div>
      <div class="zz-xl-ct">附件：<a href="./P020230116.pdf">附表</a></div></div>"""
    page = parse_page(html, url="http://www.hy.gov.cn/xxgk/zfxxgknb/202301/t20230116_1.html")
    assert page.body_text == "一、总体情况\n2022年，某县主动公开政府信息100条。"


# Legacy GBK -----------------------------------------------------------------------------------


def test_gbk_bytes_with_malformed_meta_decode(gbk) -> None:
    assert "主任朱镕" in gbk.body_text  # 镕 is outside GB2312


def test_gbk_title_from_h1(gbk) -> None:
    assert gbk.title == "示例县人民政府办公室2019年政府信息公开工作年度报告"


def test_gbk_date_line_in_chinese_form(gbk) -> None:
    assert gbk.date_line == "发布时间：2020年01月15日"


def test_gbk_source(gbk) -> None:
    assert gbk.source == "县政府办公室"


def test_gbk_attachment_resolves_parent_relative_link(gbk) -> None:
    assert (
        gbk.attachments[0].url
        == "http://www.example-d.gov.cn/a/zhengfuxinxigongkai/zfxxgknb/uploads/soft/200115/1-2001151030.doc"
    )


# Decoding -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "encoding", "text"),
    [
        ("<p>年度报告</p>".encode(), None, "<p>年度报告</p>"),
        ("<p>年度报告</p>".encode("gbk"), None, "<p>年度报告</p>"),  # no declaration: utf-8 fails, gb18030
        ('<meta charset="gb2312"><p>朱镕</p>'.encode("gbk"), None, '<meta charset="gb2312"><p>朱镕</p>'),
        ("<p>年度报告</p>".encode("gbk"), "gbk", "<p>年度报告</p>"),
        (b"\xef\xbb\xbf<p>ok</p>", None, "<p>ok</p>"),
    ],
)
def test_decode_html(data: bytes, encoding: str | None, text: str) -> None:
    assert decode_html(data, encoding) == text


# Fragments and fallbacks ----------------------------------------------------------------------


def test_bare_fragment() -> None:
    assert parse_page("<p>第一段</p><p>第二段<br/>第三行</p>").body_text == "第一段\n第二段\n第三行"


def test_empty_input_gives_an_empty_page() -> None:
    assert parse_page(b"").body_text == ""


def test_title_tag_part_naming_the_report() -> None:
    page = parse_page("<title>某县2022年政府信息公开工作年度报告-某县人民政府</title><p>正文</p>")
    assert page.title == "某县2022年政府信息公开工作年度报告"


def test_largest_text_block_when_no_known_body_class() -> None:
    html = """<body><div class="nav"><p>首页</p></div>
      <div class="main"><p>一、总体情况</p><p>本年度共主动公开政府信息200条。</p></div>
      <div class="foot"><p>版权所有</p></div></body>"""
    assert parse_page(html).body_text == "一、总体情况\n本年度共主动公开政府信息200条。"


def test_script_and_style_inside_the_body_are_dropped() -> None:
    html = '<div id="zoom"><style>.a{color:red}</style><script>var x=1;</script><p>正文内容足够长，超过二十个字符的报告正文。</p></div>'
    assert parse_page(html).body_text == "正文内容足够长，超过二十个字符的报告正文。"


@pytest.mark.parametrize(
    ("link", "kind"),
    [
        ('<a href="/files/报告.PDF">报告</a>', "attachment"),
        ('<a href="javascript:void(0)" oldsrc="W020180320396662975085.pdf">附件</a>', "attachment"),
        ('<a href="/uploads/a.wps">a</a>', "attachment"),
        ('<a href="/uploads/a.et">a</a>', "attachment"),
        ('<a href="/uploads/a.XLSX">a</a>', "attachment"),
        ('<a href="/art/2023/1/16/art_1_2.html">新闻</a>', None),
    ],
)
def test_attachment_kinds(link: str, kind: str | None) -> None:
    page = parse_page(
        f"<div id='zoom'><p>正文正文正文正文正文正文正文正文正文正文正文</p><p>{link}</p></div>",
        url="http://a.gov.cn/x/y.html",
    )
    assert [a.kind for a in page.attachments] == ([kind] if kind else [])


def test_short_cms_body_is_kept_for_attachment_only_reports() -> None:
    html = """<body><div class="nav"><p>首页 政务公开 政府信息公开年报 乡镇部门信息公开 依申请公开</p></div>
      <div id="zoom"><p>详见附件。</p><p><a href="/attachment/0/123/456789/1234567.docx">年度报告.docx</a></p></div></body>"""
    page = parse_page(html, url="http://www.example-c.gov.cn/zfxxgk/zfxxgknb/2024n/bmdw/art/2025/art_1.html")
    assert page.body_text == "详见附件。\n年度报告.docx"


def test_generic_content_class_prefers_the_inner_block() -> None:
    html = """<div class="content"><div class="menu">首页</div>
      <div class="content"><p>一、总体情况</p><p>本年度主动公开政府信息200条，其中网站100条。</p></div></div>"""
    assert parse_page(html).body_text.startswith("一、总体情况")


def test_empty_document_without_body() -> None:
    assert parse_page("<html></html>").body_text == ""


@pytest.mark.parametrize(
    ("name", "url"), [("hanweb_article.html", HANWEB_URL), ("trs_article.html", TRS_URL), ("legacy_gbk.html", GBK_URL)]
)
def test_page_links_finds_the_files_parse_page_finds(name: str, url: str) -> None:
    """The spider's cheap scan (no body text) and the full parse agree on a page's files."""
    html = (PAGES / name).read_bytes()
    attachments, body = page_links(html, url=url)
    assert attachments == parse_page(html, url=url).attachments
    assert body is not None
