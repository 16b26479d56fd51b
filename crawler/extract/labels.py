"""The label grammar: a printed table label → the stable code of its row (report-format.md §4–§9).

One mapping for every source of table text — HTML cells, text rows, PDF text and OCR of table
pictures — so that a label reads the same wherever it was printed:

* :func:`label_key` is the form labels are compared in: NFKC, whitespace gone (「自 然 人」,
  「本年新 制作数量」), brackets and quotes folded (``schema.match_key``), traditional script
  converted (``normalise.to_simplified``), pinyin glosses dropped (「規(guī)章」), and the
  vocabulary the zh-TW converter substitutes in table labels folded back (文档 / 档案 → 文件).
* :func:`row_code` maps one label to its code: ``("sec2", "规章", "G2")`` → ``"art20_1.regulations"``,
  ``("sec3", "（三）1.属于国家秘密", "G2")`` → ``"denied.state_secret"``,
  ``("sec4", "未经复议直接起诉", "G2")`` → ``"litigation_direct"``; None when it is not a row label.
* :func:`block_code` maps a section-二 block label (第二十条第（五）项) to its block code.

Section 三 rows are recognised by a keyword of their label (unique once the enumerator is
stripped, and taken from the label's start so that a label wrapped over two lines or cut short
still matches); section 二 rows by their whole label, a bracketed gloss after it, or an
unambiguous prefix of at least four characters (a label cut short: 「其他对外管理服务」).
"""

from __future__ import annotations

import re
from contextlib import suppress
from functools import cache, lru_cache

from crawler.extract.normalise import to_simplified
from crawler.extract.schema import generation, match_key

__all__ = ["block_code", "core_key", "label_key", "near_keyword_code", "row_code", "sec3_keyword_code"]

ENUMERATORS = re.compile(r"^(?:[一二三四五六七八九十]+[,.]|\([一二三四五六七八九十\d]+\)|\d+[,.)]|[①-⑳])+")
GROUP_ENUMERATOR = re.compile(r"\([一二三四五六]\)")  # (一)…(六) open groups and rows; (七)总计 is a row
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
_PINYIN = re.compile(rf"(?<=[\u4e00-\u9fff])\([a-z{_TONED}]{{1,7}}\)")
# What OpenCC's zh-TW phrase tables turn 文件 into; in a statistics table it is always 文件
# (规范性文件, 其他主动公开文件), whichever script the page was printed in.
_CONVERTER_WORDS = (("文档", "文件"), ("档案", "文件"))
_NEAR_MIN = 5  # a keyword this long still matches with one character misread or lost (OCR)
_MIN_PREFIX = 4  # a cut label must keep this many characters to be recognised by its prefix
_BLOCK_NUMERAL = re.compile(r"第二十条第?\(([一二三四五六七八九十]+)\)")

# Section 三 rows by a keyword of their label.
SEC3_KEYWORDS: tuple[tuple[str, str], ...] = (
    ("本年新收", "new_received"),
    ("上年结转", "carried_over"),
    ("予以公开", "granted"),
    ("部分公开", "partially_granted"),
    ("国家秘密", "denied.state_secret"),
    ("法律行政法规禁止", "denied.law_forbidden"),
    ("三安全一稳定", "denied.three_safety_one_stability"),
    ("第三方合法权益", "denied.third_party"),
    ("三类内部事务", "denied.internal_affairs"),
    ("四类过程性", "denied.process_info"),
    ("行政执法案卷", "denied.enforcement_file"),
    ("行政查询事项", "denied.admin_query"),
    ("不掌握", "unable.no_info"),
    ("另行制作", "unable.need_creation"),
    ("仍不明确", "unable.unclear"),
    ("信访举报投诉", "not_processed.complaint"),
    ("大量反复", "not_processed.mass_repeat"),
    ("重复申请", "not_processed.repeat"),
    ("公开出版物", "not_processed.publication"),
    ("要求行政机关确认", "not_processed.confirm"),
    ("申请人无正当理由", "other.no_correction"),
    ("申请人逾期未按", "other.no_fee"),
    ("结转下年度", "carried_forward"),
)
# Labels that are a whole word, matched only once the data rows have begun (the header has a
# 其他 and a 总计 column of its own). 其他处理 is a data row in G1 and a group label in G2.
SEC3_EXACT = {
    "G1": {"其他处理": "other", "总计": "total_processed"},
    "G2": {"其他": "other.other", "总计": "total_processed"},
}
# Section-二 row labels that some sources print in the other generation's wording.
_SEC2_ALIASES = {"G1": {"行政规范性文件": "规范性文件"}, "G2": {"规范性文件": "行政规范性文件"}}
_SEC4_GROUPS = (
    ("未经复议", "litigation_direct"),
    ("复议后", "litigation_after_review"),
    ("行政复议", "review"),
)


@lru_cache(maxsize=8192)
def label_key(text: str) -> str:
    """The comparison form of a printed label (see the module docstring)."""
    key = match_key(text)
    if key.isascii():
        return key
    if "(" in key:
        key = _PINYIN.sub("", key)
    with suppress(UnicodeEncodeError):  # a lone surrogate (broken input): compared as printed
        key = to_simplified(key)
    for printed, meant in _CONVERTER_WORDS:
        if printed in key:
            key = key.replace(printed, meant)
    return key


def core_key(key: str) -> str:
    """A label key without its leading enumerators: "(三)1.属于国家秘密" → "属于国家秘密"."""
    return ENUMERATORS.sub("", key)


def row_code(section: str, label: str, gen: str, *, data_started: bool = True) -> str | None:
    """The code of the row (sec2: "block.row", sec3: row, sec4: group) a printed label names.

    ``data_started``: section 三's header has 其他 and 总计 columns of its own, so those two
    words are row labels only once the data rows have begun (pass False while in the header).
    """
    key = label_key(label)
    if section == "sec2":
        return sec2_row_code(core_key(key), gen)
    if section == "sec3":
        code = sec3_keyword_code(key)
        if code is None and data_started:
            code = sec3_exact_code(key, gen)
        return code
    if section == "sec4":
        return next((code for word, code in _SEC4_GROUPS if word in key), None)
    raise ValueError(f"not a statistics section: {section!r}")


def sec3_keyword_code(key: str) -> str | None:
    """The section-三 row whose keyword the label key holds (header or not)."""
    for keyword, code in SEC3_KEYWORDS:
        if keyword in key:
            return code
    return near_keyword_code(key)


def near_keyword_code(key: str) -> str | None:
    """The section-三 row whose keyword the label holds with one character misread or lost.

    OCR of small, blurred text drops a thin stroke or mistakes a character (「三安全稳定」,
    「行政执法案e」). Only keywords of at least ``_NEAR_MIN`` characters are matched this way, and
    only when exactly one keyword is that near: a shorter keyword with a slip is too loose a match."""
    found = {code for keyword, code in SEC3_KEYWORDS if _near_pattern(keyword).search(key)}
    return found.pop() if len(found) == 1 else None


@cache
def _near_pattern(keyword: str) -> re.Pattern[str]:
    """Every form of ``keyword`` with one character replaced by another or missing."""
    if len(keyword) < _NEAR_MIN:
        return re.compile(r"(?!)")  # matches nothing
    forms = []
    for index in range(len(keyword)):
        head, tail = re.escape(keyword[:index]), re.escape(keyword[index + 1 :])
        forms.append(f"{head}.?{tail}")
    return re.compile("|".join(forms))


def sec3_exact_code(key: str, gen: str) -> str | None:
    """其他 / 总计 / 其他处理 rows, matched on the whole label without its enumerator."""
    code = SEC3_EXACT[gen].get(core_key(key))
    if code == "other.other" and GROUP_ENUMERATOR.match(key):
        return None  # "(六)其他" is the G2 group label cut short, not the row 3.其他
    return code


def sec2_row_code(core: str, gen: str) -> str | None:
    """ "block.row" of a section-二 row label key (enumerators already stripped)."""
    core = core.rstrip(":;,")  # 「规章：」
    for label, path in sec2_labels(gen):
        if core == label or (core.startswith(label) and core[len(label)] in "([【"):
            return path
    if len(core) >= _MIN_PREFIX:
        cut = {path for label, path in sec2_labels(gen) if label.startswith(core)}
        if len(cut) == 1:
            return cut.pop()
    return None


def block_code(label: str, gen: str) -> str | None:
    """The section-二 block code of a block label ("第二十条第（五）项" → "art20_5"), else None."""
    match = _BLOCK_NUMERAL.search(label_key(label))
    if match is None:
        return None
    wanted = f"({match.group(1)})"
    for block in generation(gen)["sec2"]["blocks"]:
        if wanted in match_key(block["label"]):
            return str(block["code"])
    return None


@cache
def sec2_labels(gen: str) -> tuple[tuple[str, str], ...]:
    """(label key, "block.row") for every section-二 row, aliases included, longest label first."""
    pairs = []
    aliases = _SEC2_ALIASES[gen]
    for block in generation(gen)["sec2"]["blocks"]:
        for row in [*block["rows"], *block.get("variant_rows", [])]:
            path = f"{block['code']}.{row['code']}"
            pairs.append((match_key(row["label"]), path))
            pairs.extend(
                (match_key(alias), path) for alias, label in aliases.items() if label == row["label"]
            )
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))
