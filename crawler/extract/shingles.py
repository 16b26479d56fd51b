"""The narrative text two reports are compared on, and its character shingles (issue 19).

A report that follows the template shares a lot with every other report: the opening 《条例》
sentence, the six headings, the table labels and the tables' numbers. None of that says the text
was copied, so it is removed before comparing: the preamble before the first heading, heading
lines, table rows (tab-separated in the normalised text) and lines that are a template label,
sentences that cite the 《条例》 as the template's opening does, and then everything that is not a
Han character (numbers, dates, punctuation, URLs). The body's own names are removed too, so that
a text copied with the name changed compares as what it is. What is left is split by section, so
a similar pair can say which sections it shares.

Pure: text in, strings out. Corpus-wide boilerplate (sentences that many bodies print) needs the
whole database and is dropped by the similarity pass (crawler/similarity.py) with
:func:`sentences` and :func:`sentence_key` from here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from crawler.extract.schema import match_key, schema
from crawler.extract.sections import heading_of, heading_spans

__all__ = ["name_variants", "narrative_sections", "sentence_key", "sentences", "shingles", "split_sections", "template_labels"]

#: characters per shingle: 5 Han characters are rarely shared by chance between two honest texts
SHINGLE = 5
_NOT_HAN = re.compile(r"[^\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_SENTENCE_END = re.compile(r"(?<=[。；;！!？?])|\n")
# the template's opening: 根据《中华人民共和国政府信息公开条例》…要求，…年度报告 (and its variants)
_OPENING = re.compile(r"(?:政府信息公开条例|《条例》).{0,120}?(?:年度报告|本报告)")
# how a body names itself in its own report (我镇, 本局, 我办 …): its name, written short
_SELF = re.compile(r"[我本](?:街道|单位|机关|部门|中心|[镇乡局室办委区县市所院站厅处队道])")
# a numbered heading of any era's template (三、依申请公开政府信息情况): short, no sentence in it
_NUMBERED_HEADING = re.compile(r"^[一二三四五六七八九十]{1,3}[、.．][^。；;，,]{2,30}$")
# where a body's name may be cut: after its province, city, district or county
_REGION_END = re.compile(r"(?<=[省市区县州盟旗])")
# dates and counted units go with their numbers: 2023年, 1月, 35条 are not text of one's own
_NUMBER_UNIT = re.compile(r"\d+(?:\.\d+)?\s*(?:年度|年|月份|月|日|号|条|件|篇|项|个|次|人次|万元|元)?")
_PREAMBLE = "preamble"
_LABEL_KEYS = ("label", "note_label")


@cache
def template_labels() -> frozenset[str]:
    """Every label the template prescribes (headings, rows, columns of every generation), as keys."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in _LABEL_KEYS and isinstance(value, str):
                    found.add(match_key(value))
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema()["generations"])
    walk(schema()["sections"])
    return frozenset(label for label in found if label)


def _is_template_line(line: str) -> bool:
    stripped = line.strip()
    return (
        not stripped
        or "\t" in stripped  # a table row as the web flattens it
        or heading_of(stripped) is not None
        or _NUMBERED_HEADING.match(stripped) is not None
        or match_key(stripped) in template_labels()
    )


def sentences(text: str) -> Iterator[str]:
    """The sentences of ``text`` (split at 。；！？ and line breaks), stripped, non-empty."""
    for piece in _SENTENCE_END.split(text):
        if piece and piece.strip():
            yield piece.strip()


def name_variants(names: Iterable[str]) -> list[str]:
    """The names and their shorter forms without the region (威海市文登区人力资源和社会保障局 →
    文登区人力资源和社会保障局, 人力资源和社会保障局), longest first, so each is removed whole."""
    found = set()
    for name in names:
        if not name:
            continue
        found.add(name)
        for cut in _REGION_END.finditer(name):
            tail = name[cut.start() :]
            if len(tail) >= 3:
                found.add(tail)
    return sorted(found, key=len, reverse=True)


def sentence_key(sentence: str, names: Iterable[str] = ()) -> str:
    """A sentence as compared: the body's names (and 我镇, 本局 …) removed, then its Han characters only."""
    for name in names:
        if name:
            sentence = sentence.replace(name, "")
    return _NOT_HAN.sub("", _SELF.sub("", _NUMBER_UNIT.sub("", sentence)))


def narrative_sections(
    text: str, names: Iterable[str] = (), common: frozenset[str] = frozenset()
) -> dict[str, str]:
    """{section code: its comparable text}: template lines, the 《条例》 opening, sentences whose key
    is in ``common`` (corpus boilerplate) and the preamble removed; Han characters only.

    A text without the template's headings (2008–2018 free-form reports) is one section, ``body``.
    """
    return split_sections(text, names, common)[1]


def split_sections(
    text: str, names: Iterable[str] = (), common: frozenset[str] = frozenset()
) -> tuple[list[str], dict[str, str]]:
    """(the section headings found, in order; :func:`narrative_sections`) — one pass over the lines."""
    names = name_variants(names)
    lines = text.splitlines()
    spans = heading_spans(lines)
    parts: dict[str, list[str]] = {}
    if not spans:
        parts["body"] = lines
    else:
        first = min(start for start, _ in spans.values())
        parts[_PREAMBLE] = lines[:first]  # dropped below: the template prescribes it
        for code, (start, end) in spans.items():
            parts[code] = lines[start + 1 : end]
    found = {}
    for code, section_lines in parts.items():
        if code == _PREAMBLE:
            continue
        kept = [
            key
            for line in section_lines
            if not _is_template_line(line)
            for sentence in sentences(line)
            if not _OPENING.search(sentence)
            and (key := sentence_key(sentence, names))
            and key not in common
        ]
        if kept:
            found[code] = "".join(kept)
    return sorted(spans, key=lambda code: spans[code][0]), found


def shingles(text: str, size: int = SHINGLE) -> set[str]:
    """The overlapping ``size``-character pieces of ``text`` (the text itself when shorter)."""
    if len(text) <= size:
        return {text} if text else set()
    return {text[i : i + size] for i in range(len(text) - size + 1)}
