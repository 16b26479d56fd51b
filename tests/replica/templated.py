"""Templated reports (雷同) in the replica: texts copied from another report (issue 19).

The synthetic reports all follow one template, so on their own they share every sentence and have
no text of their own. Here a few township reports get prose of their own (drawn from a phrase bank
with their own random stream), and then two copies are made of that prose:

* ``last_year``: a town's report that is its previous year's text, the year changed, with this
  year's numbers (tables, 主动公开 and 依申请公开 paragraphs) — the copy most often found;
* ``shared_text``: a second town printing another town's text with the name changed.

Both reports of each pair are marked ``templated`` in the manifest (kind, and the other report's
URL). The towns given prose of their own and no copy are the independent controls: a detector must
not flag them. Only the chosen reports change; the rest of the world is as before.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

from tests.replica.content import Block

if TYPE_CHECKING:
    from tests.replica.world import Report, World

TOWN = "乡镇街道"
CONTROLS = 4
#: paragraphs that carry the report's own numbers: a copy keeps the copying report's
_NUMBERED = ("（一）主动公开", "（二）依申请公开")

_WHERE = ["围绕乡村振兴战略", "聚焦营商环境优化", "结合网格化治理", "紧扣农村集体三资管理", "针对征地拆迁补偿",
          "立足海洋渔业发展", "着眼文旅融合", "依托便民服务中心", "结合人居环境整治", "围绕安全生产专项整治",
          "聚焦养老助残服务", "结合秸秆禁烧工作", "围绕河长制落实", "针对低保五保审核", "结合退役军人服务",
          "着眼农产品品牌建设", "围绕村级财务公开", "结合防汛抗旱部署"]  # fmt: skip
_DID = ["编印政策明白纸发放到户", "在村务公开栏增设专题板块", "组织村级联络员逐户走访", "录制方言解读短视频",
        "召开院落议事会听取意见", "建立办事指南动态更新台账", "开通周末延时服务窗口", "推行一次告知清单",
        "设置政策咨询流动站点", "开展公开日现场答疑", "把办理进度推送到村民微信群", "邀请人大代表参与评议",
        "对接区级平台同步发布", "编制村级小微权力清单"]  # fmt: skip
_RESULT = ["群众来电咨询明显减少", "重复信访件数有所下降", "办事材料平均压减三成", "村民知晓率进一步提高",
           "相关投诉基本实现清零", "群众满意度持续提升", "政策兑现更加及时", "基层干部业务能力得到锻炼",
           "线上浏览量稳步增长", "补贴发放全程留痕可查"]  # fmt: skip
_LACK = ["部分村居公开栏更新滞后", "解读材料可读性仍需加强", "兼职人员流动较快", "线上线下信息存在不同步",
         "涉农资金公开颗粒度不够细", "意见收集后反馈不够及时", "档案归集整理不够规范", "新媒体互动回应偏少"]  # fmt: skip
_NEXT = ["将开展专题培训轮训", "将建立月度通报机制", "将引入第三方评估", "将完善考核评价办法",
         "将推动公开栏标准化改造", "将拓展政务新媒体互动功能", "将健全意见反馈闭环"]  # fmt: skip


def own_prose(rng: random.Random) -> tuple[str, str]:
    """Two paragraphs a body wrote itself: its year's work (section 一) and its problems (section 五)."""
    work = "".join(
        f"{where}，{did}，{result}。"
        for where, did, result in zip(rng.sample(_WHERE, 5), rng.sample(_DID, 5), rng.sample(_RESULT, 5), strict=True)
    )
    lacks = "、".join(rng.sample(_LACK, 2))
    steps = "，".join(rng.sample(_NEXT, 2))
    return f"（六）特色工作。{work}", f"同时还存在{lacks}等不足，下一步{steps}。"


def with_prose(blocks: list[Block], prose: tuple[str, str]) -> list[Block]:
    """``blocks`` with the two paragraphs: after section 一's last paragraph and after section 五's."""
    out: list[Block] = []
    for index, block in enumerate(blocks):
        out.append(block)
        following = blocks[index + 1] if index + 1 < len(blocks) else ("", "")
        if block[0] == "p" and following[0] == "h":
            if following[1].startswith("二、"):
                out.append(("p", prose[0]))
            elif following[1].startswith("六、"):
                out.append(("p", prose[1]))
    return out


def _middle(report: Report) -> tuple[int, int]:
    """Where the sections are: from the first heading to the signature (name and date)."""
    blocks = report.blocks
    start = next(i for i, (kind, _) in enumerate(blocks) if kind == "h")
    end = len(blocks) - (2 if blocks[-2] == ("p", report.body.name) else 1)
    return start, end


def copied_blocks(source: Report, target: Report) -> list[Block]:
    """``target``'s blocks with ``source``'s sections: names and year changed, ``target``'s numbers."""
    start, end = _middle(target)
    own = target.blocks[start:end]
    tables = [block for block in own if block[0] in ("html", "img")]
    numbered = {prefix: block for block in own for prefix in _NUMBERED if block[1].startswith(prefix)}
    source_start, source_end = _middle(source)
    middle: list[Block] = []
    for kind, value in source.blocks[source_start:source_end]:
        prefix = next((p for p in _NUMBERED if value.startswith(p)), None)
        if kind in ("html", "img"):
            middle.append(tables.pop(0))
        elif prefix and prefix in numbered:
            middle.append(numbered[prefix])
        else:
            middle.append((kind, _renamed(value, source, target)))
    return target.blocks[:start] + middle + target.blocks[end:]


def _renamed(text: str, source: Report, target: Report) -> str:
    for old, new in (
        (source.body.name, target.body.name),
        (source.body.short, target.body.short),
        (str(source.year), str(target.year)),
    ):
        text = text.replace(old, new)
    return text


def _eligible(world: World) -> list[Report]:
    return sorted(
        (
            r
            for r in world.current_reports()
            if r.body.kind == TOWN and r.table_render == "html" and r.tables and not r.seed and not r.corrects
        ),
        key=lambda r: r.url,
    )


def _mark(report: Report, kind: str, other: Report) -> None:
    report.templated = {"kind": kind, "with": other.url}
    report.notes.append(f"templated ({kind}): shares its text with {other.url}")


def add_templated(world: World, rng: random.Random) -> None:
    """One ``last_year`` pair, one ``shared_text`` pair and CONTROLS independent towns with prose."""
    eligible = _eligible(world)
    by_body: dict[str, dict[int, Report]] = {}
    for report in eligible:
        by_body.setdefault(report.body.name, {})[report.year] = report
    consecutive = [
        (years[y], years[y + 1])
        for years in by_body.values()
        for y in sorted(years)
        if y + 1 in years and years[y].generation == years[y + 1].generation
    ]
    if not consecutive:
        return
    earlier, later = rng.choice(consecutive)
    others = [r for r in eligible if r.body != earlier.body]
    rng.shuffle(others)
    first = others.pop() if others else None
    second = next((r for r in others if first and r.body != first.body and r.year == first.year), None)
    pair = (first, second) if first and second else ()
    busy = {r.body for r in pair}
    controls = list({r.body.name: r for r in others if r.body not in busy}.values())[:CONTROLS]
    for report in (earlier, *pair[:1], *controls):
        report.blocks = with_prose(report.blocks, own_prose(random.Random(f"prose:{report.url}")))
    later.blocks = copied_blocks(earlier, later)
    _mark(earlier, "last_year", later)
    _mark(later, "last_year", earlier)
    if first and second:
        second.blocks = copied_blocks(first, second)
        _mark(first, "shared_text", second)
        _mark(second, "shared_text", first)
    for report in (earlier, later, *pair, *controls):
        world.renderers[report.site](world, report)
