"""Facts stated in the prose, kept apart from the tables (report-format.md §7 soft rules, §9.4, §10).

Input is the normalised text (normalise.normalise_text): brackets are half-width, the Chinese
punctuation is as printed, and numbers may be spaced ("124 条").
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from crawler.extract.metadata import chinese_small_number
from crawler.extract.model import Fact, Narrative, Number

__all__ = ["extract_narrative", "parse_count"]

_NUMBER = r"(?P<num>\d[\d,，]*(?:\.\d+)?)"
_AMOUNT = rf"(?P<pre>约|近|逾|超过|超)?\s*{_NUMBER}\s*(?P<scale>万)?\s*(?P<post>余|多)?\s*"
_COUNT = rf"{_AMOUNT}(?P<unit>条|件|篇|份|项|个|次)"
_INFORMATION_COUNT = rf"{_AMOUNT}(?P<unit>条|件)"  # items of information, not tasks (项) or times (次)
_TOTAL_WORDS = r"(?:共计|共|合计|总计|累计|达到|达)?\s*"
# the words between 信息 and its count; never 申请 (「政府信息公开申请10件」 counts requests)
_GAP = r"(?:(?!申请)[^，,。；;:：\d\n]){0,6}?"

# Highest priority first: 主动公开…信息…N条 (or 主动公开文件N件), then 公开/发布/公布/更新(转载)…信息…N条 (seed 000:
# 通过各类渠道公开政府信息472条; 「网站全年更新各类政府信息2000余条」, 「共发布转载信息3886条」).
# The words between the verb and 信息 may list the kinds (「主动公开各类法律法规、业务工作…等政府服务信息121条」).
_KINDS = r"[^，,。；;:：\d\n]{0,60}?"
# 信息, or a misprint that dropped its 息 right before the count (「发布各类政务信40余条」).
_INFORMATION = r"信(?:息|(?=\s*\d))"
# one field's word before 政府信息 (自然资源), never a verb handling requests (「公开答复政府信息公开申请」)
_FIELD = r"(?:(?!答复|处理|受理|办理|回复|申请|审核|审查|告知|转办|接收)[\u4e00-\u9fff]){2,6}?(?=(?:政府|政务)信息)"
# a list of kinds closed by 等 may run long in one clause (「公开学习宣传…、创建…城市、…综合监管执法等工作
# 信息1261条」) and name the information by its kind after 等 (工作信息, 动态信息)
_LISTED_KINDS = r"[^，,。；;:：\d\n]{0,120}?"
_KIND_WORD = r"(?:[\u4e00-\u9fff]{1,4}?(?=信息))?"
_PROACTIVE_TOTALS = (
    re.compile(rf"主动公开(?:{_KINDS}信息|文件){_GAP}{_TOTAL_WORDS}{_COUNT}"),
    re.compile(rf"主动公开(?:了)?{_TOTAL_WORDS}{_COUNT}(?:政府|政务)?信息"),
    # Not 依申请公开 / 不予公开 / 部分公开: those count requests and their outcomes.
    # The kinds may be one field's word before 政府信息 / 政务信息 (「公布自然资源政府信息累计131条」).
    re.compile(
        rf"(?<!申请)(?<!不予)(?<!部分)(?:公开|发布|公布|更新)(?:和?(?:转载|转发))?(?:{_LISTED_KINDS}等{_KIND_WORD}|{_FIELD})?(?:各类|的)?(?:政府|政务)?{_INFORMATION}{_GAP}{_TOTAL_WORDS}{_COUNT}"
    ),
    # the unit lost after an approximate count that ends the line or clause (「主动公开政府信息260余」):
    # 余/多 still says it is a count; a bare number there (a year, a page number) is not read
    re.compile(
        rf"主动公开{_KINDS}信息{_GAP}{_TOTAL_WORDS}(?P<pre>约|近|逾|超过|超)?\s*{_NUMBER}\s*(?P<scale>万)?"
        r"\s*(?P<post>余|多)(?P<unit>)(?=\s*(?:$|[，,。；;]))",
        re.MULTILINE,
    ),
    # the count straight after 主动公开, no 信息 named, ending its clause (「共通过门户网站及政务新媒体
    # 方式主动公开907条，其中…」), in 条/件 (not 「年内主动公开2项，均已完成」): last, as one naming 信息 says more
    re.compile(rf"主动公开(?:了)?{_TOTAL_WORDS}{_INFORMATION_COUNT}(?=\s*(?:$|[，,。；;]))", re.MULTILINE),
)
# A count through one channel is not the total: a secondary channel (公众号, 新媒体 …), or any channel
# whose count is followed by another channel's in the same sentence (网站 N 条，公众号 M 条) — unless
# it says it is a total (共, 累计) or names several channels (「通过门户网站、公报及微博等」).
_SECONDARY_CHANNEL = re.compile(r"公众号|微博|新媒体|头条|抖音|客户端|公开栏|宣传栏|显示屏|电子屏|栏目|专栏")
_CHANNEL = re.compile(r"网站|网|公众号|微博|新媒体|头条|抖音|客户端|公开栏|宣传栏|显示屏|栏目|平台")
_CHANNELS_NAMED = re.compile(r"(?:通过|依托|在|利用)(?P<ch>[^，,。；;]{0,40}?)(?:主动公开|公开|发布|公布)")
_PRIMARY_CHANNEL = re.compile(r"网站|门户|公报")
_NEXT_CHANNEL_SENTENCE = re.compile(rf"^。\s*(?:通过|依托|在|利用)[^。\n]*?{_COUNT}")
_SAYS_TOTAL = re.compile(r"共|累计|合计|总计")
_NEXT_COUNT = re.compile(rf"^[^。；;\n]*?[，,、][^。；;\n]*?{_COUNT}")
_SUBCOUNT = re.compile(rf"(?<![\d.第]){_COUNT}")
# Where the channel list stops: the content breakdown that follows it counts the same items again.
_BREAKDOWN = re.compile(r"从内容(?:分类)?(?:上)?看|按(?:照)?内容|从公开内容看|按信息类别|内容分类")
_SECTION_FIVE = re.compile(r"^\s*(?:五|5)\s*[、.．]", re.MULTILINE)
_CLAUSE_BREAK = re.compile(r"[，,。；;:：\n]")
# A space between two Han characters is a line break of the source (a docx or PDF flattened:
# 「全年更 新各类政府信息」); it means nothing in Chinese prose, so the counts are read without it.
_SPACE_IN_WORD = re.compile(r"(?<=[\u4e00-\u9fff])[ \u3000]+(?=[\u4e00-\u9fff])")
_PROACTIVE_WORD = "主动公开"
_OWN_VERB = re.compile(r"推送|发布|公布|更新|推出|刊发|转载")
_LATER_TOTAL = re.compile(rf"(?:合计|共计|总计|累计|一共|共)[^，,。；;\d\n]{{0,12}}?{_COUNT}")

_NO_REQUESTS = re.compile(
    r"(?:没有|未|无)(?:收到|接到|接收|受理|接收受理|收到或受理|办理|发生)?过?(?:任何)?(?:政府|政务)?信息公开申请"
    r"|(?:没有|未|无)(?:收到|接到|接收|受理|接收受理|办理)过?(?:任何)?依申请公开"
    r"|(?:无|没有)依申请公开(?:事项|件|申请)"
)
_NO_REVIEW_LITIGATION = re.compile(
    r"(?:未|没有|无)(?:发生|出现|收到|接到|产生|涉及)?过?[^。；;，,]{0,24}?行政复议[^。；;，,]{0,10}?行政诉讼"
    r"|行政复议[^。；;，,]{0,10}?行政诉讼[^。；;，,]{0,12}?(?:均为|为|是)(?:0|零)"
)
_NO_REVIEW = re.compile(
    r"(?:未|没有|无)(?:发生|出现|收到|接到|产生|涉及)?过?(?:(?!行政诉讼)[^。；;，,]){0,24}?行政复议"
)
_NO_LITIGATION = re.compile(
    r"(?:未|没有|无)(?:发生|出现|收到|接到|产生|涉及)?过?(?:(?!行政复议)[^。；;，,]){0,24}?行政诉讼"
)
_NO_FEES = re.compile(
    r"(?:未|没有|无|不)(?:收取|产生|发生|涉及|收)(?:任何)?(?:政府信息公开)?的?(?:信息处理费用?|处理费用?|费用|收费)"
    r"|(?:无|没有|未有)(?:政府信息公开)?(?:信息处理费用?|收费)"
    r"|免(?:收|予收取)(?:信息处理费|费用)"
)
_FEE_WORD = re.compile(r"信息处理费|公开收费")
_FEE_FACT = re.compile(r"\d|未|无|没有")
_HEADING_PREFIX = re.compile(r"^\s*[(（]?[一二三四五六七八九十\d]+[)）、.．]\s*[^：:。，]{0,24}[：:]\s*")

_REQUESTS = re.compile(
    r"(?:收到|受理|接到|接收|办理)了?[^。；;，,\d]{0,12}?申请[^。；;，,\d]{0,6}?(?:共|共计|合计)?\s*"
    r"(?P<num>\d+|[一二三四五六七八九十两]{1,3})\s*(?:件|个|份|次|宗)"
)

# G0 (2008–2018) facts: "<label><共/为>N<unit>" in prose, "<label>\tN" in a free-form 附表.
_G1_G2_MARKERS = ("第二十条", "本年新收", "收到和处理政府信息公开申请")
_FACT = re.compile(
    rf"(?P<label>[\u4e00-\u9fff“”]{{2,24}}?){_TOTAL_WORDS}[:：]?\s*(?P<pre>约|近|逾|超过)?\s*{_NUMBER}"
    r"\s*(?P<scale>万)?\s*(?P<post>余|多)?\s*(?P<unit>人次|万元|元|条|件|篇|份|项|次|个|期|场)"
)
_TABLE_FACT = re.compile(r"^(?P<label>[^\t\d\n]{2,30}?)\t+(?P<num>\d+(?:\.\d+)?)\s*$", re.MULTILINE)
_LABEL_LEAD = re.compile(
    r"^(?:年度?|月|日)?(?:全年|本年度?|今年|其中|我局|我镇|我县|我区|本机关|本单位|共|累计|通过)*"
)
_MAX_FACTS = 60


def extract_narrative(text: str) -> Narrative:
    """Proactive-disclosure total and channel counts, zero statements, stated requests, fees, G0 facts."""
    narrative = Narrative()
    _read_proactive(_SPACE_IN_WORD.sub("", _before_section_five(text)), narrative)
    fees = _NO_FEES.search(text)  # (searched once: the zero statements and the fee sentence read it)
    narrative.zero_statements = _zero_statements(text, fees)
    narrative.requests_stated = _requests_stated(text)
    narrative.fee_statement = _fee_statement(text, fees)
    if not any(marker in text for marker in _G1_G2_MARKERS):
        narrative.facts = _g0_facts(text)
    return narrative


def parse_count(number: str, scale: str | None = None) -> Number | None:
    """A printed count: "1,256" → 1256, "15.8" with 万 → 158000 (a Decimal only if a fraction remains)."""
    try:
        value = Decimal(number.replace(",", "").replace("，", ""))
    except InvalidOperation:
        return None
    if scale == "万":
        value *= 10000
    return int(value) if value == value.to_integral_value() else value


def _before_section_five(text: str) -> str:
    """Section 五 holds next year's plans; their figures are not this year's."""
    match = _SECTION_FIVE.search(text)
    return text[: match.start()] if match else text


def _clause_start(text: str, position: int) -> int:
    """Start of the clause holding ``position`` (after the previous ，。；: or line break)."""
    start = position
    while start > 0 and not _CLAUSE_BREAK.match(text, start - 1):
        start -= 1
    return start


# A running total since the portal opened (「累计主动公开…272条。2010年新增…57条」, 「共主动公开…615条，
# 今年新增94条」) is not the year's count: the year's new items that follow it are. Not a comparison
# with the year before (「比去年新增…」: a difference).
_CUMULATIVE = re.compile(r"累计|历年|截至目前")
_YEARS_NEW = re.compile(
    rf"[^。\n]{{0,4}}?[。，,；;]?\s*(?P<lead>[^。，,；;\n]{{0,12}}?)新增(?:主动公开)?(?:政府|政务)?(?:信息)?\s*{_COUNT}"
)
_YEAR_WORD = re.compile(r"今年|本年度?|当年|全年|\d{4}年度?")
# 「2022年，我局累计主动公开…356条，新增12条」: 累计 after a year word sums that year, a total to keep;
# 「截至2022年底累计…」, 「自2008年以来累计…」 sum since the start whatever year they name
_SINCE_INCEPTION = re.compile(r"历年|截至|截止|以来")
# 「比去年新增…」, 「同比新增…」: a difference from another year, not the year's new items
_COMPARED = re.compile(r"比|较")


def _sentence_start(text: str, position: int) -> int:
    return max(text.rfind("。", 0, position), text.rfind("\n", 0, position)) + 1


def _sums_since_inception(text: str, match: re.Match[str]) -> bool:
    """Whether the count's clause totals all the years (not one year's 累计)."""
    clause_start = _clause_start(text, match.start())
    cumulative = _CUMULATIVE.search(text, clause_start, match.end())
    if cumulative is None:
        return False
    sentence_start = _sentence_start(text, match.start())
    if _SINCE_INCEPTION.search(text, sentence_start, match.end()):
        return True
    return not _YEAR_WORD.search(text, sentence_start, cumulative.start())


def _years_new_count(text: str, match: re.Match[str]) -> re.Match[str] | None:
    """The year's 新增 count right after a cumulative headline (same or next sentence)."""
    new = _YEARS_NEW.match(text, match.end())
    if new is None or _COMPARED.search(new.group("lead")):
        return None
    same_sentence = "。" not in text[match.end() : new.start("lead")]
    if _sums_since_inception(text, match) or (same_sentence and _YEAR_WORD.search(new.group("lead"))):
        return new
    return None


def _read_proactive(text: str, narrative: Narrative) -> None:
    match = _headline(text)
    if match is None:
        return
    match = _years_new_count(text, match) or match
    narrative.proactive_total = parse_count(match.group("num"), match.group("scale"))
    # 「3万余条」, 「260多条」, 「近2000条」: marked approximate (a plain 「15.8万条」 is taken as printed)
    narrative.proactive_approx = bool(match.group("pre") or match.group("post"))
    narrative.proactive_raw = text[_clause_start(text, match.start()) : match.end()].strip()
    subcounts, exhaustive = _channel_counts(text, match.end())
    narrative.proactive_subcounts = subcounts
    narrative.proactive_subcounts_exhaustive = exhaustive


def _headline(text: str) -> re.Match[str] | None:
    """The first headline count by pattern priority that is no sub-count (inside a parenthesised
    breakdown, a 其中 / 其他 clause) and no channel's count."""
    for pattern in _PROACTIVE_TOTALS:
        for match in pattern.finditer(text):
            if not _sub_count(text, match):
                return match
    return None


# 「1.门户网站主动公开政府信息情况。…共发布信息89条」 then 「2.官方微信主动公开…」: numbered sub-headings,
# one per channel — a count a channel posted or pushed there is that channel's. A count that says
# 主动公开 (「1.门户网站建设。全年共主动公开政府信息1200条」) is the body's total, whatever its heading.
_NUMBERED_HEADING = re.compile(r"^\s*(?P<n>[1-9])\s*[.．、]\s*(?P<head>[^。\n]{0,30})", re.MULTILINE)
_SIBLING_REACH = 800
_HEADING_CHANNEL = re.compile(rf"(?:{_CHANNEL.pattern})|微信")


def _names_channel(heading: re.Match[str] | None) -> bool:
    return heading is not None and _HEADING_CHANNEL.search(heading.group("head")) is not None


def _under_channel_heading(text: str, match: re.Match[str]) -> bool:
    # the match may start after 主动 (「主动公开政府信息…」 read by the 公开/发布 pattern)
    if _PROACTIVE_WORD in text[max(0, match.start() - len("主动")) : match.end()]:
        return False
    line_start = text.rfind("\n", 0, match.start()) + 1
    heading = _NUMBERED_HEADING.match(text, line_start)
    if heading is None or not _names_channel(heading):
        return False
    number = int(heading.group("n"))
    for sibling_number, start, end in (
        (number + 1, match.start(), match.start() + _SIBLING_REACH),  # the next channel's heading below
        (number - 1, max(0, line_start - _SIBLING_REACH), line_start),  # or the previous one above
    ):
        for sibling in _NUMBERED_HEADING.finditer(text, start, end):
            if int(sibling.group("n")) == sibling_number and _names_channel(sibling):
                return True
    return False


def _sub_count(text: str, match: re.Match[str]) -> bool:
    if _under_channel_heading(text, match):
        return True
    clause = text[_clause_start(text, match.start()) : match.end()]
    before = text[max(0, match.start() - 400) : match.start()]
    if before.count("(") > before.count(")"):
        return True
    # 「…信息N条，其中主动公开政府信息M条」: M is the 主动公开 total, a part only of all that was posted
    if clause.lstrip().startswith(("其中", "其他")) and not clause.lstrip("其中 ").startswith("主动公开"):
        return True
    named = _CHANNELS_NAMED.search(clause)
    channels = named.group("ch") if named else clause
    if _SAYS_TOTAL.search(clause):
        return False
    if _SECONDARY_CHANNEL.search(clause) and not _PRIMARY_CHANNEL.search(clause):
        return True
    if named and _follows_a_channels_proactive_count(text, match.start()):
        return True
    if named and re.search(r"[、及和等]", channels):
        return False
    rest = text[match.end() :]
    followed = _NEXT_COUNT.match(rest) or _NEXT_CHANNEL_SENTENCE.match(rest)
    # 「通过门户网站主动公开…4150条，政务微信公众号推送信息1351条」: the one count that says 主动公开,
    # beside channels with a verb of their own that only push or post, is the headline (「网站主动公开
    # 信息22条，政务服务网23条」 is one list: its other channels share the verb)
    # — unless the sentence goes on to state a total of them all (「…，合计主动公开150条」): then this
    # count is one channel's and the total is the headline
    if followed and _PROACTIVE_WORD in clause and not _LATER_TOTAL.search(_sentence_rest(rest)):
        next_counts = followed.group(0)
        if _PROACTIVE_WORD not in next_counts and _OWN_VERB.search(next_counts):
            return False
    after = text[match.end() : match.end() + 12].lstrip("，, ")
    # 「…主动公开政府信息686条，涵盖…等，其中在目录公开440条」: the counts after 其中 break this one
    # down, they are no other channel's beside it
    breaks_down = followed is not None and "其中" in followed.group(0)
    return bool(_CHANNEL.search(clause) and followed and not after.startswith("其中") and not breaks_down)


# 「通过门户网站主动公开政府信息23300条，通过省政府网站主动公开政府信息137条」: the second channel's
# count is as much one channel's as the first (which _NEXT_COUNT already refuses) — no total of both.
# A channel that only posted or pushed before it (「公众号推送信息1351条，通过网站主动公开…」) leaves the
# one count saying 主动公开 the headline.
_PREVIOUS_CHANNEL_COUNT = re.compile(rf"(?:通过|依托|在|利用)[^，,。；;\n]*?主动公开[^，,。；;\n]*?{_COUNT}\s*[，,、；;]\s*$")


def _follows_a_channels_proactive_count(text: str, position: int) -> bool:
    before = text[_sentence_start(text, position) : _clause_start(text, position)]
    return _PREVIOUS_CHANNEL_COUNT.search(before) is not None


def _sentence_rest(rest: str) -> str:
    """What follows a count up to the end of its sentence."""
    end = rest.find("。")
    return rest[: end if end != -1 else 300]


def _channel_counts(text: str, after_total: int) -> tuple[list[int], bool]:
    """The "其中…" list after the total: (counts, whether it is complete, i.e. does not end in 等)."""
    lead = re.match(r"\s*[，,；;]?\s*其中", text[after_total:])
    if not lead:
        return [], False
    start = after_total + lead.end()
    end = text.find("。", start)
    clause = text[start : end if end != -1 else start + 600][:600]
    breakdown = _BREAKDOWN.search(clause)
    if breakdown:
        clause = clause[: breakdown.start()]
    matches = list(_SUBCOUNT.finditer(clause))
    counts = [
        int(value) for m in matches if isinstance(value := parse_count(m.group("num"), m.group("scale")), int)
    ]
    if not counts:
        return [], False
    ends_with_etc = clause[matches[-1].end() :].lstrip().startswith("等")
    return counts, not ends_with_etc


def _zero_statements(text: str, fees: re.Match[str] | None) -> dict[str, str]:
    found: dict[str, str] = {}
    patterns = [("no_requests", _NO_REQUESTS), ("no_review_litigation", _NO_REVIEW_LITIGATION)]
    for code, pattern in patterns:
        match = pattern.search(text)
        if match:
            found[code] = _clause(text, match)
    if "no_review_litigation" not in found:
        for code, pattern in (("no_review", _NO_REVIEW), ("no_litigation", _NO_LITIGATION)):
            match = pattern.search(text)
            if match:
                found[code] = _clause(text, match)
    if fees:
        found["no_fees"] = _clause(text, fees)
    return found


def _clause(text: str, match: re.Match[str]) -> str:
    return text[_clause_start(text, match.start()) : match.end()].strip()


def _requests_stated(text: str) -> Number | None:
    match = _REQUESTS.search(text)
    if not match:
        return None
    number = match.group("num")
    if number.isdigit():
        return int(number)
    return chinese_small_number(number.replace("两", "二"))


def _fee_statement(text: str, fees: re.Match[str] | None) -> str | None:
    """The sentence about fees: the zero statement's (``fees``, the _NO_FEES match) if there is one,
    else the first that names a fee."""
    positions = [fees.start()] if fees else [m.start() for m in _FEE_WORD.finditer(text)]
    for position in positions:
        sentence = _HEADING_PREFIX.sub("", _sentence(text, position)).strip()
        if fees or _FEE_FACT.search(sentence):
            return sentence or None
    return None


def _sentence(text: str, position: int) -> str:
    end = min(
        (i for i in (text.find("。", position), text.find("\n", position)) if i != -1), default=len(text)
    )
    return text[_clause_start_sentence(text, position) : end]


def _clause_start_sentence(text: str, position: int) -> int:
    start = max(text.rfind("。", 0, position), text.rfind("\n", 0, position))
    return start + 1


def _g0_facts(text: str) -> list[Fact]:
    facts: list[Fact] = []
    for match in _FACT.finditer(text):
        label = _LABEL_LEAD.sub("", match.group("label")).strip("“”")
        value = parse_count(match.group("num"), match.group("scale"))
        if len(label) < 2 or value is None or label.endswith(("是", "第")):
            continue
        raw = match.group(0).strip()
        approx = bool(match.group("pre") or match.group("post"))
        facts.append(Fact(key=f"{label}({match.group('unit')})", value=value, raw=raw, approx=approx))
    for match in _TABLE_FACT.finditer(text):
        label = match.group("label").strip()
        facts.append(Fact(key=label, value=parse_count(match.group("num")), raw=match.group(0).strip()))
    return facts[:_MAX_FACTS]
