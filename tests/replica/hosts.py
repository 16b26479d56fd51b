"""The replica's newer county hosts by site name (built on tests/replica/county.py)."""

from __future__ import annotations

from tests.replica.classic import Classic
from tests.replica.county import Style
from tests.replica.dede import Dede
from tests.replica.shtml import Shtml
from tests.replica.siteserver import SiteServer
from tests.replica.yeartree import YearTree

STYLES: dict[str, type[Style]] = {"bypc": YearTree, "xincai": Dede, "anding": Classic, "jiaokou": Shtml}
#: each host's start URL: all a generic crawler is told (the seed portals' too)
START_URLS = {
    "wendeng": "http://www.wendeng.gov.cn/",
    "hy": "http://www.hy.gov.cn/",
    **{site: f"http://{style.host}/" for site, style in STYLES.items()},
}
#: hosts of CMSes the crawler has no platform base for: built only when asked for by name (not in
#: ALL_SITES, so the suites over every host keep their scope); crawled with the generic platform
UNSEEN_STYLES: dict[str, type[Style]] = {"xunyi": SiteServer}
UNSEEN_START_URLS = {site: f"http://{style.host}/" for site, style in UNSEEN_STYLES.items()}
