"""Scrapy settings for xxgk.

Politeness is the default because the targets are small county servers: robots.txt obeyed,
AutoThrottle on, a few requests per domain at a time, and an honest User-Agent with a contact URL.
Project settings are prefixed ``XXGK_``. Offline runs against the loopback replica relax the delays
from the command line (``xxgk crawl --fast`` / ``-s DOWNLOAD_DELAY=0``), never here.
"""

BOT_NAME = "xxgk"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# "Mozilla/5.0 (compatible; …)" is the usual honest crawler form: it names the bot and how to reach
# its operators, and still carries the browser token that provincial WAFs demand.
USER_AGENT = "Mozilla/5.0 (compatible; xxgk/0.1; +https://github.com/xxgk-archive/xxgk)"
ROBOTSTXT_OBEY = True

# --- politeness -------------------------------------------------------------------------------
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.5
DOWNLOAD_DELAY_JITTER = 0.5  # each delay drawn from 0.5×–1.5× DOWNLOAD_DELAY
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 60
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
COOKIES_ENABLED = True

# Scrapy starts this many tasks for every response's output, whatever its size; a report page
# yields one item and a list page a few dozen requests, so 100 (the default) is pure overhead.
CONCURRENT_ITEMS = 16

# --- resource bounds --------------------------------------------------------------------------
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024

# --- the pipeline: one stage per file, in this order ------------------------------------------
ITEM_PIPELINES = {
    "pipelines.normalise.NormalisePipeline": 100,
    "pipelines.extract.ExtractPipeline": 200,
    "pipelines.dedupe.DedupePipeline": 300,
    "pipelines.store.StorePipeline": 400,
}

# The archive sits closest to the downloader (after HttpCache at 900), so it sees every response as
# received: redirects, errors that will be retried, robots.txt.
DOWNLOADER_MIDDLEWARES = {"crawler.archive.middleware.WarcArchiveMiddleware": 950}
XXGK_WARC_ENABLED = True
XXGK_WARC_MAX_SIZE = 1024**3  # roll to a new file past 1 GiB
XXGK_WARC_WORKER = None  # None → hostname-pid: several workers can share one DIR/warc/
XXGK_WARC_GZIP_LEVEL = 6  # level 9 costs 2.6× the CPU for 0.2% smaller files
XXGK_WARC_REVISITS = True

# --- xxgk -------------------------------------------------------------------------------------
#: where a crawl writes: DIR/xxgk.db, DIR/warc/, DIR/jobs/
XXGK_DATA_DIR = "data"
#: report years to keep (None = every year); set by `xxgk crawl --year` / `scrapy crawl -a year=`
XXGK_YEAR = None
#: fetch the files and table pictures a report page links to and read them with it: many reports
#: keep their numbers only there. Off (`-s XXGK_ATTACHMENTS=0`) for a pages-only crawl.
XXGK_ATTACHMENTS = True

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
# No remote consoles: a crawl of public pages needs no way in from the outside.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
