"""威海市文登区 (wendeng.gov.cn): a Hanweb jcms portal; the profile is ``crawler/sites/wendeng.toml``."""

from crawler.platforms.hanweb import HanwebSpider


class WendengSpider(HanwebSpider):
    name = "wendeng"
