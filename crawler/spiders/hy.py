"""海原县 (hy.gov.cn): a TRS 集约化 portal; the profile is ``crawler/sites/hy.toml``."""

from crawler.platforms.trs import TrsSpider


class HySpider(TrsSpider):
    name = "hy"
