"""What the replica publishes, independent of any CMS: reporting bodies, report texts, noise items.

A report body is a list of :data:`Block` s (paragraph, heading, raw HTML, image) that each site's
renderer turns into its own markup, so one report can be published by both archetypes.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from tests.support.render_html import render_sections
from tests.support.values import StatTables

#: ("p", text) paragraph, ("h", text) section heading, ("html", markup) table etc., ("img", alt) an image
Block = tuple[str, str]

SEEDS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "seeds"
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(frozen=True)
class Body:
    """A reporting body (报告主体) of one site."""

    site: str  # "wendeng" / "hy"
    name: str  # full official name, as the manifest's agency
    short: str  # what the body calls itself in prose and navigation (财政局, 海城镇)
    kind: str  # 政府 / 部门 / 乡镇街道 / 事业单位
    slug: str  # pinyin initials, used in TRS paths and flip-book names
    code: str  # 18-char 统一社会信用代码

    @property
    def self_reference(self) -> str:
        """我局 / 我镇 / 我乡 …: how reports refer to their own body."""
        if self.kind == "政府":
            return "我区" if SITE_PREFIX[self.site].endswith("区") else "我县"
        if self.kind == "事业单位":
            return next((me for ending, me in _INSTITUTION_SELF if self.short.endswith(ending)), "我单位")
        last = (
            self.short[-1]
            if self.kind == "部门"
            else self.short.replace("人民政府", "").replace("办事处", "")[-1]
        )
        return f"我{last}"


# (short name, slug) in roughly the order a portal lists them
WENDENG_DEPARTMENTS = [
    ("人民政府办公室", "bgs"),
    ("财政局", "czj"),
    ("住房和城乡建设局", "zjj"),
    ("综合行政执法局", "zhzfj"),
    ("教育和体育局", "jtj"),
    ("商务局", "swj"),
    ("民政局", "mzj"),
    ("人力资源和社会保障局", "rsj"),
    ("自然资源局", "zrzyj"),
    ("卫生健康局", "wjj"),
    ("农业农村局", "nyncj"),
    ("交通运输局", "jtysj"),
    ("市场监督管理局", "scjgj"),
    ("应急管理局", "yjglj"),
    ("司法局", "sfj"),
    ("发展和改革局", "fgj"),
    ("审计局", "sjj"),
    ("统计局", "tjj"),
    ("水务局", "slj"),
    ("文化和旅游局", "whlyj"),
    ("退役军人事务局", "tyjrswj"),
    ("行政审批服务局", "xzspj"),
    ("医疗保障局", "ybj"),
]
WENDENG_TOWNS = [
    ("侯家镇", "hjz"),
    ("泽库镇", "zkz"),
    ("张家产镇", "zjcz"),
    ("宋村镇", "scz"),
    ("高村镇", "gcz"),
    ("界石镇", "jsz"),
    ("葛家镇", "gjz"),
    ("米山镇", "msz"),
    ("大水泊镇", "dspz"),
    ("小观镇", "xgz"),
    ("苘山镇", "qsz"),
    ("文登营镇", "wdyz"),
    ("天福街道", "tfjd"),
    ("龙山街道", "lsjd"),
    ("环山街道", "hsjd"),
]
HY_DEPARTMENTS = [
    ("人民政府办公室", "zfb"),
    ("财政局", "czj"),
    ("发展和改革局", "fgj"),
    ("教育体育局", "jtj"),
    ("民政局", "mzj"),
    ("人力资源和社会保障局", "rsj"),
    ("自然资源局", "zrzyj"),
    ("住房和城乡建设局", "zjj"),
    ("交通运输局", "jtysj"),
    ("农业农村局", "nyncj"),
    ("卫生健康局", "wjj"),
    ("市场监督管理局", "scjgj"),
    ("应急管理局", "yjglj"),
    ("司法局", "sfj"),
    ("审计局", "sjj"),
    ("统计局", "tjj"),
    ("水务局", "swj"),
    ("林业和草原局", "lcj"),
    ("医疗保障局", "ybj"),
]
HY_TOWNS = [
    ("海城镇", "hcz"),
    ("三河镇", "shz"),
    ("七营镇", "qyz"),
    ("李旺镇", "lwz"),
    ("西安镇", "xaz"),
    ("史店乡", "sdx"),
    ("树台乡", "stx"),
    ("关桥乡", "gqx"),
    ("贾塘乡", "jtx"),
    ("郑旗乡", "zqx"),
    ("曹洼乡", "cwx"),
    ("九彩乡", "jcx"),
    ("李俊乡", "ljx"),
    ("红羊乡", "hyx"),
    ("关庄乡", "gzx"),
    ("甘城乡", "gcx"),
    ("高崖乡", "gyx"),
]
SITE_PREFIX = {
    "wendeng": "威海市文登区",
    "hy": "海原县",
    "bypc": "白银市平川区",
    "xincai": "新蔡县",
    "anding": "定西市安定区",
    "jiaokou": "交口县",
    "xunyi": "旬邑县",
}
SITE_ADMIN_CODE = {
    "wendeng": "371081",
    "hy": "640522",
    "bypc": "620403",
    "xincai": "411729",
    "anding": "621102",
    "jiaokou": "141130",
    "xunyi": "610429",
}
SITE_PHONE = {
    "wendeng": "0631-84",
    "hy": "0955-40",
    "bypc": "0943-66",
    "xincai": "0396-59",
    "anding": "0932-82",
    "jiaokou": "0358-52",
    "xunyi": "029-34",
}


def credit_code(rng: random.Random, site: str, category: str = "11") -> str:
    """An 18-character 统一社会信用代码 in the site's county: 类别 11 an organ, 12 a 事业单位."""
    tail = "".join(rng.choice("0123456789") for _ in range(8)) + rng.choice(_CREDIT_CHARS)
    return f"{category}{SITE_ADMIN_CODE[site]}00{tail}"[:18]


def town_body(site: str, short: str, slug: str, code: str) -> Body:
    suffix = "办事处" if short.endswith("街道") else "人民政府"
    return Body(site, f"{SITE_PREFIX[site]}{short}{suffix}", short, "乡镇街道", slug, code)


def department_body(site: str, short: str, slug: str, code: str) -> Body:
    return Body(site, f"{SITE_PREFIX[site]}{short}", short, "部门", slug, code)


# -- 事业单位 (large scale): schools, hospitals, service centres, each town's school and health centre

_INSTITUTION_SELF = (
    ("小学", "我校"),
    ("中学", "我校"),
    ("学校", "我校"),
    ("幼儿园", "我园"),
    ("医院", "我院"),
    ("卫生院", "我院"),
    ("中心", "我中心"),
    ("馆", "我馆"),
    ("站", "我站"),
)
_NUMERALS = "一二三四五六七八九十"
#: county-wide institutions (short name, slug)
_COUNTY_INSTITUTIONS = [
    ("人民医院", "rmyy"),
    ("中医院", "zyy"),
    ("妇幼保健院", "fybjy"),
    ("疾病预防控制中心", "jkzx"),
    ("公共资源交易中心", "ggzyjyzx"),
    ("政务服务中心", "zwfwzx"),
    ("融媒体中心", "rmtzx"),
    ("档案馆", "dag"),
    ("图书馆", "tsg"),
    ("文化馆", "whg"),
    ("博物馆", "bwg"),
    ("不动产登记中心", "bdcdjzx"),
    ("社会保险事业中心", "sbzx"),
    ("住房公积金管理中心", "gjjzx"),
    ("机关事务服务中心", "jgswzx"),
    ("农业技术推广中心", "njtgzx"),
    ("动物疫病预防控制中心", "dwyfzx"),
    ("水利工作站", "slgzz"),
    ("园林绿化服务中心", "yllhzx"),
    ("职业中等专业学校", "zz"),
    ("特殊教育学校", "tjxx"),
    ("实验幼儿园", "syyey"),
    ("综合检验检测中心", "jyjczx"),
    ("退役军人服务中心", "tyjrfwzx"),
]
#: what each town runs (suffix, slug suffix)
_TOWN_INSTITUTIONS = [
    ("中心小学", "zxxx"),
    ("中学", "zx"),
    ("卫生院", "wsy"),
    ("中心幼儿园", "zxyey"),
    ("农业综合服务站", "nyfwz"),
]
#: a body whose name needs GBK: 堃/喆 are outside GB2312 (sites.md §5.2, §6.5)
GBK_ONLY_BODIES = {"wendeng": ("堃山小学", "ksxx"), "hy": ("喆泉学校", "zqxx")}


def institution_bodies(rng: random.Random, site: str, count: int, towns: list[tuple[str, str]]) -> list[Body]:
    """``count`` plausible 事业单位 of the site's county: numbered schools, county institutions, town ones."""
    numbered = [(f"第{n}实验小学", f"sy{i + 1}xx") for i, n in enumerate(_NUMERALS)]
    numbered += [(f"第{n}中学", f"d{i + 1}zx") for i, n in enumerate(_NUMERALS[:8])]
    per_town = [
        (town.removesuffix("镇").removesuffix("乡").removesuffix("街道") + suffix, slug + extra)
        for town, slug in towns
        for suffix, extra in _TOWN_INSTITUTIONS
    ]
    pool = [*numbered, *_COUNTY_INSTITUTIONS, *per_town]
    chosen = sorted(rng.sample(pool, min(count, len(pool))), key=pool.index)
    return [institution_body(rng, site, short, slug) for short, slug in chosen]


def institution_body(rng: random.Random, site: str, short: str, slug: str) -> Body:
    return Body(site, f"{SITE_PREFIX[site]}{short}", short, "事业单位", slug, credit_code(rng, site, "12"))


def government_body(site: str, code: str) -> Body:
    return Body(
        site, f"{SITE_PREFIX[site]}人民政府", "区政府" if SITE_PREFIX[site].endswith("区") else "县政府", "政府", "zf", code
    )


# -- dates ---------------------------------------------------------------------------------------------


def publish_time(rng: random.Random, year: int, body: Body, *, late: bool = False) -> datetime:
    """When the report on ``year`` went online: January for most, up to March for governments."""
    if late:
        day = datetime(year + 1, 3, 20) + timedelta(days=rng.randint(0, 70))
    elif body.kind == "政府":
        day = datetime(year + 1, 1, 20) + timedelta(days=rng.randint(0, 65))
    else:
        day = datetime(year + 1, 1, 8) + timedelta(days=rng.randint(0, 23))
    return day.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59), second=rng.randint(0, 59))


def chinese_date(day: datetime) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# -- synthetic report text ------------------------------------------------------------------------------


def synthetic_report(
    rng: random.Random,
    body: Body,
    year: int,
    published: datetime,
    tables: StatTables | None,
    *,
    named: bool = True,
) -> list[Block]:
    """A six-section G1/G2 report; ``tables`` None means the statistics are images.

    ``named=False`` leaves the body's name out of the text entirely (it is then only in the page's
    metadata), as some township reports do.
    """
    gen = tables.generation if tables else ("G2" if year >= 2021 else "G1")
    name = body.name if named else "本机关"
    me = body.self_reference
    notice = "国办公开办函〔2021〕30号" if gen == "G2" else "国办公开办函〔2019〕60号"
    phone = f"{SITE_PHONE[body.site]}{rng.randint(10000, 99999)}"
    proactive = [rng.randint(5, 120) for _ in range(3)]
    blocks: list[Block] = []
    if named and rng.random() < 0.5:
        blocks += [("p", body.name), ("p", f"{year}年政府信息公开工作年度报告")]
    blocks += [
        (
            "p",
            f"根据《中华人民共和国政府信息公开条例》（国务院令第711号，以下简称《条例》）和《中华人民共和国政府信息公开工作"
            f"年度报告格式》（{notice}）要求，现公布{name if named else ''}{year}年政府信息公开工作年度报告。",
        ),
        (
            "p",
            f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。如对本报告有疑问，请与{name}办公室联系"
            f"（电话：{phone}）。",
        ),
        ("h", "一、总体情况"),
        (
            "p",
            f"{year}年，{me}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》和上级关于政务公开工作的部署，"
            "不断完善政府信息公开工作机制，提高政府工作透明度。",
        ),
        (
            "p",
            f"（一）主动公开。{year}年度{me}共主动公开政府信息{sum(proactive)}条，其中通过政府网站公开{proactive[0]}条，"
            f"通过政务新媒体公开{proactive[1]}条，通过政务公开栏公开{proactive[2]}条。",
        ),
        ("p", "（二）依申请公开。" + _requests_sentence(year, me, tables)),
        (
            "p",
            "（三）政府信息管理。严格落实信息发布保密审查制度，坚持“先审查、后公开”和“一事一审”原则，确保公开信息安全准确。",
        ),
        ("p", "（四）平台建设。充分发挥政府网站第一平台作用，及时更新政府信息公开专栏，加强政务新媒体管理。"),
        ("p", "（五）监督保障。明确专人负责政府信息公开工作，加强业务培训，将政务公开工作纳入年度考核。"),
    ]
    sections = render_sections(tables, rng) if tables else None
    headings = [
        ("二、主动公开政府信息情况", "sec2"),
        ("三、收到和处理政府信息公开申请情况", "sec3"),
        ("四、政府信息公开行政复议、行政诉讼情况", "sec4"),
    ]
    for number, (heading, key) in enumerate(headings, 1):
        blocks.append(("h", heading))
        blocks.append(("html", sections[key]) if sections else ("img", f"图片{number}"))
    blocks += [
        ("h", "五、存在的主要问题及改进情况"),
        (
            "p",
            f"{year}年，{me}政府信息公开工作取得了一定成效，但仍存在政策解读形式较为单一、信息更新不够及时等问题。"
            f"下一步，{me}将进一步加强队伍建设，丰富解读形式，提升公开质量。",
        ),
        ("h", "六、其他需要报告的事项"),
        ("p", f"{me}{year}年度未收取政府信息公开信息处理费。"),
        ("p", "无其他需要报告的事项。"),
    ]
    signature = [("p", chinese_date(published - timedelta(days=rng.randint(0, 3))))]
    return blocks + ([("p", body.name), *signature] if named else signature)


def _requests_sentence(year: int, me: str, tables: StatTables | None) -> str:
    if tables is None:
        return f"{year}年，{me}依法依规办理政府信息公开申请，详见下表。"
    received = tables.sec3["new_received"]["total"]
    if not received:
        return f"{year}年，{me}未收到政府信息公开申请。"
    return f"{year}年，{me}共收到政府信息公开申请{received}件，均已按期答复。"


_TABLE_CLASS = re.compile(r'<table class="(sec[234])"')


def with_tables(
    blocks: list[Block], tables: StatTables, rng: random.Random, year: int, body: Body
) -> list[Block]:
    """``blocks`` with their HTML tables and the 依申请公开 sentence showing ``tables`` instead."""
    sections = render_sections(tables, rng)
    out: list[Block] = []
    for kind, value in blocks:
        table = _TABLE_CLASS.search(value) if kind == "html" else None
        if table:
            value = sections[table.group(1)]
        elif kind == "p" and value.startswith("（二）依申请公开。"):
            value = "（二）依申请公开。" + _requests_sentence(year, body.self_reference, tables)
        out.append((kind, value))
    return out


def g0_report(rng: random.Random, body: Body, year: int, published: datetime) -> list[Block]:
    """A pre-2020 (G0) report: old headings, statistics in prose, no template tables."""
    me = body.self_reference
    counts = [rng.randint(20, 300), rng.randint(0, 6)]
    return [
        (
            "p",
            f"本报告根据《中华人民共和国政府信息公开条例》要求，由{body.name}编制。全文包括概述、主动公开政府信息情况、"
            "依申请公开政府信息情况、政府信息公开的收费及减免情况、因政府信息公开申请行政复议和提起行政诉讼的情况、"
            f"存在的主要问题及改进措施等。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
        ),
        ("h", "一、概述"),
        ("p", f"{year}年，{me}认真贯彻落实《中华人民共和国政府信息公开条例》，扎实推进政府信息公开工作。"),
        ("h", "二、主动公开政府信息情况"),
        ("p", f"{year}年，{me}主动公开政府信息{counts[0]}条。"),
        ("h", "三、依申请公开政府信息情况"),
        ("p", f"{year}年，{me}共受理政府信息公开申请{counts[1]}件，均已按时答复。"),
        ("h", "四、政府信息公开的收费及减免情况"),
        ("p", f"{year}年，{me}未收取任何费用。"),
        ("h", "五、因政府信息公开申请行政复议、提起行政诉讼的情况"),
        ("p", f"{year}年，{me}未发生因政府信息公开申请行政复议、提起行政诉讼的情况。"),
        ("h", "六、政府信息公开工作存在的主要问题及改进措施"),
        ("p", "公开内容不够全面，更新不够及时。下一步将加强学习培训，完善工作机制。"),
        ("p", body.name),
        ("p", chinese_date(published)),
    ]


# -- seed reports -----------------------------------------------------------------------------------------

SEED_FILES = {
    "000": "000_1dcdf0a64c2a6d28.txt",
    "001": "001_19cc13ecf0eb244d.txt",
    "002": "002_0910bf6eadff7bcb.txt",
    "003": "003_a21b5f66e49fb0b9.txt",
    "004": "004_05f557363e30d87d.txt",
}
_IMAGE = re.compile(r"^\[image: (.*)\]$")
# the section headings that open and close the three table regions of a seed
_TABLE_REGIONS = {
    "sec2": (re.compile(r"^二、.*主动公开"), re.compile(r"^三、.*申请")),
    "sec3": (re.compile(r"^三、.*申请"), re.compile(r"^四、.*(复议|诉讼)")),
    "sec4": (re.compile(r"^四、.*(复议|诉讼)"), re.compile(r"^(五|5)、")),
}


def seed_report(name: str, tables: StatTables | None, rng: random.Random | None = None) -> list[Block]:
    """Seed ``name`` verbatim as blocks; with ``tables`` its table text is replaced by HTML tables."""
    lines = (SEEDS_DIR / SEED_FILES[name]).read_text(encoding="utf-8").splitlines()
    sections = render_sections(tables, rng) if tables else {}
    blocks: list[Block] = []
    inside: str | None = None
    for raw in lines:
        line = raw.strip()
        if inside and _TABLE_REGIONS[inside][1].match(line):
            inside = None
        if inside:
            continue  # table text, replaced by the HTML table
        if not line:
            continue
        image = _IMAGE.match(line)
        blocks.append(("img", image.group(1)) if image else ("p", line))
        for key, (start, _) in _TABLE_REGIONS.items():
            if key in sections and start.match(line):
                blocks.append(("html", sections[key]))
                inside = key
    return blocks


# -- noise ------------------------------------------------------------------------------------------------

_NOISE_TITLES = [
    "{name}政府信息公开指南",
    "{name}政府信息公开制度",
    "{name}{y}年部门预算公开",
    "{name}{y}年部门决算公开",
    "{name}{y}年“双随机、一公开”抽查计划",
    "{short}召开{y}年度政务公开工作推进会",
    "{short}开展“政府开放日”活动",
    "关于公布{name}权责清单的通知",
    "{short}{y}年工作总结及{y1}年工作计划",
    "{short}组织开展安全生产大检查",
    "关于印发{y}年政务公开工作要点的通知",
    "{short}举办政务公开业务培训",
]
#: looks like a report to a careless title filter but is not one
_NEAR_MISS = "图解：{name}{y}年政府信息公开工作年度报告"


def noise_title(rng: random.Random, body: Body, year: int, *, near_miss: bool = False) -> str:
    template = _NEAR_MISS if near_miss else rng.choice(_NOISE_TITLES)
    return template.format(name=body.name, short=body.short, y=year, y1=year + 1)


def noise_blocks(rng: random.Random, title: str) -> list[Block]:
    return [
        ("p", f"为进一步做好相关工作，现将《{title}》有关情况公布如下。"),
        ("p", rng.choice(("请各单位认真贯彻落实。", "特此公告。", "欢迎社会各界监督。"))),
    ]
