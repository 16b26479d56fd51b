"""The stored text of a report: cleaned whitespace, no markup debris, simplified script.

The output feeds the table grammar, so the layout that carries meaning is kept: one paragraph per
line, blank lines between paragraphs (at most one), tabs exactly where they were (a leading tab is
an empty TSV cell, a tab-only line an empty cell in the one-cell-per-line layout).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from opencc import OpenCC

__all__ = ["has_traditional", "is_traditional", "normalise_text", "simplified_line", "to_simplified"]

# Leaked <style>/<script>: whole elements, and bare CSS rules such as ".TRS_Editor P{margin:0}" that
# an HTML-to-text step left behind when it dropped the tags but kept their content.
_MARKUP_BLOCK = re.compile(r"<(style|script)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_CSS_RULES = re.compile(
    r"^[ \t]*(?:[.#@]?[A-Za-z][A-Za-z0-9_.#:>\- \t,*]*\{[^{}]{0,2000}\}[ \t]*)+", re.MULTILINE
)

# docx → markdown converters (pandoc and friends) leave these behind.
_BOOKMARK = re.compile(r"\[bookmark:[^\]\n]*\]")
_BOLD = re.compile(r"\*\*([^*\n]+)\*\*")
_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+)>")
_FILLERS = re.compile(r"该部分以表格形式报告。?表格如下[:：]?")

# Pinyin that traditional-script mirrors inject after characters: 報(bào)告, 文(wen)章(zhang).
_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
# The character before the bracket is tested after the bracket (「\((?<=[CJK]\()」, the same matches
# as 「(?<=[CJK])\(」): a pattern opening with its literal is searched for that literal, a leading
# lookbehind is tried at every position of the text.
_PINYIN_TONED = re.compile(rf"\((?<=[\u4e00-\u9fff]\()(?=[a-z{_TONED}]*[{_TONED}])[a-z{_TONED}]{{1,7}}\)")
_PINYIN_PLAIN = re.compile(rf"\((?<=[\u4e00-\u9fff]\()[a-z{_TONED}]{{1,7}}\)")

# Characters that exist only in traditional script, paired with their simplified forms (same
# order). Counting them is a cheap detector; OpenCC runs only when it fires.
_TRAD_ONLY = "報個這們會時開關於與為務資訊機構權議處實際點網條縣區鎮國門問題項請發說對業經過還進當後從總數據統計規範檔單辦將應"
_SIMP_ONLY = "报个这们会时开关于与为务资讯机构权议处实际点网条县区镇国门问题项请发说对业经过还进当后从总数据统计规范档单办将应"
_TRAD_SET = frozenset(_TRAD_ONLY)
# the same test as 「not _TRAD_SET.isdisjoint(text)」, scanned in C: a set test makes a string object
# of every character of the text (a third of normalise_text on a simplified report)
_TRAD_CHAR = re.compile(f"[{_TRAD_ONLY}]")
_SIMP_SET = frozenset(_SIMP_ONLY) - _TRAD_SET

# NFKC, but only for the compatibility forms that are safe in Chinese prose: full-width digits,
# letters, brackets and ASCII symbols, and the Kangxi-radical look-alikes PDFs produce. Chinese
# prose punctuation (，。：；！？、“”) and 〇 stay as printed.
_KEEP_WIDE = set("，：；！？")
_SAFE_FOLD = {
    code: unicodedata.normalize("NFKC", chr(code))
    for code in [*range(0xFF01, 0xFF5F), *range(0x2F00, 0x2FD6), *range(0x2E80, 0x2EF4)]
    if chr(code) not in _KEEP_WIDE and unicodedata.normalize("NFKC", chr(code)) != chr(code)
}
# Spaces that are not tabs become plain spaces; zero-width characters go.
_SPACES = (0x0B, 0x0C, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028, 0x2029, 0x202F, 0x205F, 0x3000)
_SPACE_FOLD = dict.fromkeys(_SPACES, " ")
_DROP = dict.fromkeys((0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD), "")
_FOLD = {chr(code): folded for code, folded in {**_SAFE_FOLD, **_SPACE_FOLD, **_DROP}.items()}
# A regex with a lookup per hit, not str.translate: few characters need folding, and translate
# pays a Python-level dict lookup for every character of the text.
_FOLDABLE = re.compile("[" + "".join(re.escape(char) for char in _FOLD) + "]")

_SPACE_RUN = re.compile(r" {2,}")
# Both open with a literal (a tab, a space), so that the engine skips to it: a leading lookbehind
# or 「^」 alternative is tried at every position. The same spaces go as with 「 +(?=\t)|(?<=\t) +」
# (the tab before a run is matched and put back, ``_TAB_KEPT``) and 「^ | $」 (MULTILINE).
_SPACE_AROUND_TAB = re.compile(r"(\t) +| +(?=\t)")
_TAB_KEPT = r"\1"  # (the group is empty for a run before a tab: only the spaces go)
_SPACE_AT_LINE_ENDS = re.compile(r" (?:(?<=^ )|$)", re.MULTILINE)
_BLANK_RUN = re.compile(r"\n{3,}")


def normalise_text(text: str) -> str:
    """The text as stored and matched: see the module docstring."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _remove_markup_debris(text)
    text = _FOLDABLE.sub(_fold, _to_simplified_script(text))
    return _clean_whitespace(text)


def is_traditional(text: str) -> bool:
    """True when the text is written in traditional characters (a mirror copy, usually).

    Only a handful of very common characters are counted, so a simplified text quoting one
    traditional name does not trip it.
    """
    if _TRAD_CHAR.search(text) is None:  # the usual case, and the cheapest test
        return False
    present = set(text)
    traditional = sum(text.count(char) for char in present & _TRAD_SET)
    if traditional < 3:
        return False
    return traditional > 2 * sum(text.count(char) for char in present & _SIMP_SET)


def has_traditional(text: str) -> bool:
    """True when a short text (a title, a link) has any traditional-only character: 「…年度報告」.
    Unlike :func:`is_traditional`, one character is enough; for deciding to convert a title."""
    return _TRAD_CHAR.search(text) is not None


def simplified_line(text: str | None) -> str | None:
    """A title, list title or source line in simplified script, however short: one traditional-only
    character is enough to convert it (a whole text needs several, ``is_traditional``)."""
    if not text or _TRAD_CHAR.search(text) is None:
        return text
    return to_simplified(_PINYIN_PLAIN.sub("", text))


def _to_simplified_script(text: str) -> str:
    """Mirror copies: drop the injected pinyin, then convert. Toned pinyin never belongs anywhere."""
    if is_traditional(text):
        return to_simplified(_PINYIN_PLAIN.sub("", text))
    return _PINYIN_TONED.sub("", text)


def to_simplified(text: str) -> str:
    """Traditional → simplified, character by character (t2s), then the few Taiwan words that
    phrase-converting mirrors print (規範性檔案 → 规范性文件, 政府資訊 → 政府信息).

    Not OpenCC's tw2sp: most mirrors convert characters only, and tw2sp's phrase table turns the
    mainland words they keep into others (文件 → 文档, 程序 → 进程, 规范性文件 → 规范性文档)."""
    return _TW_WORDS.sub(lambda match: _TW_PHRASES[match.group()], _converter().convert(text))


# Taiwan vocabulary of phrase-converting mirrors, after t2s, in the reports' own terms
_TW_PHRASES = {
    "规范性档案": "规范性文件",
    "政策档案": "政策文件",
    "政府资讯": "政府信息",
    "资讯公开": "信息公开",
    "公开资讯": "公开信息",
    "资讯化": "信息化",
    "网路": "网络",
    "软体": "软件",
}
_TW_WORDS = re.compile("|".join(map(re.escape, _TW_PHRASES)))


@cache
def _converter() -> OpenCC:
    return OpenCC("t2s")


def _remove_markup_debris(text: str) -> str:
    text = _MARKUP_BLOCK.sub("", text)
    if "{" in text:
        text = _CSS_RULES.sub("", text)
    text = _BOOKMARK.sub("", text)
    text = _BOLD.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    return _FILLERS.sub("", text)


def _fold(match: re.Match[str]) -> str:
    return _FOLD[match.group()]


def _clean_whitespace(text: str) -> str:
    """Runs of spaces → one, lines stripped of spaces, at most one blank line in a row.

    Only spaces: every other space character was folded to one, and tabs are cell boundaries
    (a leading tab is an empty first cell).
    """
    if " \t" in text or "\t " in text:
        text = _SPACE_AROUND_TAB.sub(_TAB_KEPT, text)
    text = _SPACE_RUN.sub(" ", text)
    text = _SPACE_AT_LINE_ENDS.sub("", text)
    return _BLANK_RUN.sub("\n\n", text).strip("\n")
