"""Which template a report's tables follow: G0, G1, G2 or unknown (report-format.md §2).

``decide`` reads labels only; ``settle`` falls back on the cited circular, then the year. Markers are looked for in table cells only (short
text cells), so prose that happens to mention 政府集中采购 does not make a G0 report G1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# section-二 headers as printed in full, and the truncated forms pipe exports leave ("现行有效件")
_G2_HEADER_FRAGMENTS = ("本年制发", "本年废止", "现行有效件", "本年处理决定", "本年收费金额")
_G1_HEADER_FRAGMENTS = (
    "本年新制作",
    "本年新公开",
    "对外公开总",
    "上一年项目",
    "本年增/",
    "采购项目",
    "采购总金额",
)
_G2_ROW_FRAGMENTS = ("申请人无正当理由逾期不补正", "申请人逾期未按收费通知")
_G1_ROW_FRAGMENTS = ("其他对外管理服务事项", "政府集中采购", "第二十条第(九)项")
# (all are match keys: NFKC, no whitespace, brackets folded; they are the schema markers, shortened)


@dataclass(slots=True)
class Markers:
    g2_headers: bool = False
    g2_rows: bool = False
    g1_headers: bool = False
    g1_rows: bool = False
    warnings: list[str] = field(default_factory=list)


def find_markers(cells_key: str) -> Markers:
    """``cells_key``: the match keys of the report's short text cells, concatenated in order."""
    g2_headers = any(fragment in cells_key for fragment in _G2_HEADER_FRAGMENTS)
    g1_headers = any(fragment in cells_key for fragment in _G1_HEADER_FRAGMENTS)
    return Markers(
        g2_headers=g2_headers,
        g2_rows=any(fragment in cells_key for fragment in _G2_ROW_FRAGMENTS),
        g1_headers=g1_headers,
        g1_rows=any(fragment in cells_key for fragment in _G1_ROW_FRAGMENTS),
    )


def decide(markers: Markers, *, g1_other_row: bool, template_era: bool) -> tuple[str, list[str]]:
    """(format, warnings). ``g1_other_row``: a （六）其他处理 row carries numbers itself."""
    g2 = markers.g2_headers or markers.g2_rows
    g1 = markers.g1_headers or markers.g1_rows or g1_other_row
    if g2 and g1:
        warning = "format: both G1 and G2 markers; the section-二 headers decide"
        if markers.g1_headers and not markers.g2_headers:
            return "G1", [warning]
        return "G2", [warning]
    if g2:
        return "G2", []
    if g1:
        return "G1", []
    return ("unknown" if template_era else "G0"), []


# -- without labels: the circular the text cites, then the rules in force for the report year --------

_CITATIONS = (
    (re.compile(r"〔2021〕\s*30\s*号|\[2021\]\s*30\s*号|\(2021\)\s*30\s*号"), "G2"),
    (re.compile(r"〔2019〕\s*60\s*号|\[2019\]\s*60\s*号|\(2019\)\s*60\s*号"), "G1"),
)


def settle(label_format: str, *, text: str, year: int | None) -> tuple[str, str | None]:
    """(format, basis): the labels' verdict when they gave one, else the format circular the text
    cites (国办公开办函〔2021〕30号 → G2, 〔2019〕60号 → G1), else the report year by the rules in
    force (2021 and later → G2, 2019–2020 → G1, earlier → G0). Never G0 for a report on 2019 or
    later: G0 is the free-form era, not the absence of tables. basis is None when nothing tells."""
    if label_format in ("G1", "G2"):
        return label_format, "labels"
    cited = {fmt for pattern, fmt in _CITATIONS if pattern.search(text)}
    if len(cited) == 1 and (year is None or year >= 2019):
        return cited.pop(), "citation"
    if year is not None:
        return ("G2" if year >= 2021 else "G1" if year >= 2019 else "G0"), "year"
    return label_format, None
