"""Scrapy settings for xxgk.

Politeness is the default because the targets are small county servers: robots.txt obeyed,
AutoThrottle on, a few requests per domain at a time, and an honest User-Agent with a contact URL.
Project settings are prefixed ``XXGK_``. Offline runs against the loopback replica relax the delays
from the command line (``xxgk crawl --fast`` / ``-s DOWNLOAD_DELAY=0``), never here.
"""

from pipelines import chain as _chain  # lower-case: Scrapy reads only upper-case names as settings

BOT_NAME = "xxgk"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
# one spider per site profile (crawler/sites/*.toml, XXGK_SITES_DIR) and per start URL: no per-site Python
SPIDER_LOADER_CLASS = "crawler.spiderloader.ProfileSpiderLoader"
#: more directories of site profiles (os.pathsep-separated), besides crawler/sites/, for the spider
#: loader, which passes it on to the environment variable the stages and reparse read
XXGK_SITES_DIR = None

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

# Retries wait base·2^(n-1) s, ±jitter, at most MAX (and a longer Retry-After up to MAX): a county
# server answering 503 in a burst needs a pause, not the same request again at once.
XXGK_RETRY_BACKOFF_BASE = 1.0
XXGK_RETRY_BACKOFF_MAX = 60.0
XXGK_RETRY_BACKOFF_JITTER = 0.5  # a fraction: each wait drawn from 0.5×–1.5× its nominal value
# Anti-bot challenges (瑞数 412, 加速乐 521, WAF block pages) become role "challenge" documents
# instead of reports; off only to archive a challenge page as if it were content.
XXGK_CHALLENGE_DETECTION = True

# --- resource bounds --------------------------------------------------------------------------
# Larger bodies are dropped (a documents row with fault "too_large" records them): no annual
# report is near 64 MiB, a runaway download or a video is.
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
# A truncated body (fewer bytes than Content-Length) is a failure to retry, never a page to parse.
DOWNLOAD_FAIL_ON_DATALOSS = True
# Extraction of one document runs in a worker process (pipelines/offload.py) for at most this many
# seconds and within this much writable memory (RLIMIT_DATA); past either the document gets a recorded error
# (fault extract_timeout / extract_memory), the worker is replaced and the crawl goes on. Hostile
# files (zip bombs, pathological tables) must not stall or kill a crawl.
XXGK_EXTRACT_TIMEOUT = 60.0
XXGK_EXTRACT_MEMORY_MB = 2048
# A light job (one HTML page of at most this many bytes, no attachments) runs in the crawl process
# instead: handing a 10 ms page to a worker costs the crawl about as much CPU as parsing it. One that
# runs past XXGK_INLINE_SECONDS is stopped (an alarm) and run again in a worker, under the bounds
# above. 0 sends every job to the workers.
XXGK_INLINE_BYTES = 256 * 1024
XXGK_INLINE_SECONDS = 0.5

# --- the pipeline: one stage per file, in the order named once in pipelines/chain.py ---------
# (normalise 100 → extract 200 → dedupe 300 → store 400)
ITEM_PIPELINES = _chain.item_pipelines(_chain.CRAWL_CHAIN)

# The archive sits closest to the downloader (after HttpCache at 900), so it sees every response as
# received: redirects, errors that will be retried, robots.txt.
DOWNLOADER_MIDDLEWARES = {
    "crawler.archive.middleware.WarcArchiveMiddleware": 950,
    # conditional GETs from the archive, 304s replayed from it; below DownloaderStats (850), so that
    # downloader/response_bytes counts what crossed the wire (a 304), not the replayed copy
    # (it also hands over list pages and files the revisit schedule does not ask for: crawler/revisit.py)
    "crawler.archive.revalidate.RevalidateMiddleware": 800,
    # Scrapy's downloader stats, less what the archive handed over: what crossed the wire
    "scrapy.downloadermiddlewares.stats.DownloaderStats": None,
    "crawler.archive.revalidate.WireStats": 850,
    # Scrapy's retry decisions plus a wait between attempts (crawler/resilience.py)
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.resilience.BackoffRetryMiddleware": 550,
    # after CookiesMiddleware (700) kept a challenge's cookie and HttpCompression (590) decoded it
    "crawler.resilience.ChallengeMiddleware": 585,
}
XXGK_WARC_ENABLED = True
XXGK_WARC_MAX_SIZE = 1024**3  # roll to a new file past 1 GiB
XXGK_WARC_WORKER = None  # None → hostname-pid: several workers can share one DIR/warc/
XXGK_WARC_GZIP_LEVEL = 6  # level 9 costs 2.6× the CPU for 0.2% smaller files
XXGK_WARC_REVISITS = True

# --- many sites in one run (crawler/fleet.py) ------------------------------------------------
#: sites crawled at a time by one `xxgk crawl` (None: 16 per core, at most 128); the others wait their
#: turn, so memory follows this, not the number of sites named. All of them share one extraction
#: pool, one database writer and one per-host gate (crawler/hostgate.py).
XXGK_SITES_AT_ONCE = None
#: seconds a site may run before it is closed (0 = no deadline; crawl_runs: closespider_timeout)
XXGK_SITE_DEADLINE = 0

# --- xxgk -------------------------------------------------------------------------------------
#: where a crawl writes: DIR/xxgk.db, DIR/warc/, DIR/jobs/
XXGK_DATA_DIR = "data"
#: report years to keep (None = every year); set by `xxgk crawl --year` / `scrapy crawl -a year=`
XXGK_YEAR = None
#: continue an interrupted crawl (`xxgk crawl --resume`): report pages that already have a committed
#: documents row are not fetched again (crawler/resume.py); JOBDIR is DIR/jobs/<spider>
XXGK_RESUME = False
# Within a run, Scrapy's fingerprint dupefilter; across runs (JOBDIR), "seen" for a report page
# means "committed to the database", so a page fetched but not stored before a crash is refetched.
DUPEFILTER_CLASS = "crawler.resume.ResumeDupeFilter"
# Scrapy parses the source of each callback (inspect.getsource + ast) for every response it calls
# back, looking for a generator that returns a value: its cache is keyed by the bound method, a new
# object each time, so it never hits (0.3-0.7 ms CPU per page here). Our callbacks are checked once, by
# tests/test_callbacks.py, instead.
WARN_ON_GENERATOR_RETURN_VALUE = False
#: Scrapy's default disk queue, with a cheaper naming of callbacks (crawler/jobqueue.py)
SCHEDULER_DISK_QUEUE = "crawler.jobqueue.JobDiskQueue"
#: pending requests in memory, written to the job dir's disk queue when the crawl stops (a crash's
#: queue is never trusted anyway: crawler/resume.py), not pushed and popped through it one by one
SCHEDULER = "crawler.jobqueue.JobScheduler"
#: pending requests a site holds in memory; past it, further ones go to the disk queue (memory bound)
XXGK_QUEUE_IN_MEMORY = 1000

# --- re-crawls (issue 7) ------------------------------------------------------------------------
#: revalidate archived pages (ETag / If-Modified-Since) and stop paging a column at known reports;
#: False (`xxgk crawl --full`) fetches everything in full again, which re-verifies what a 304 vouches for
XXGK_INCREMENTAL = True
#: an incremental run leaves a known report page unfetched while its list entry (URL, title, date)
#: reads as when it was last fetched, except that every known page is fetched again at least once
#: every XXGK_REVERIFY_DAYS (about 1/N of them a day), so silent edits are still found (crawler/recrawl.py)
XXGK_REVERIFY_DAYS = 30
#: refresh the Chinese search index when a crawl ends (off only for the seeder's platform probe,
#: crawler/distributed/resolve.py: the crawl that follows indexes what it stores)
XXGK_SEARCH_PASS = True
#: the day (YYYY-MM-DD) the re-verification schedule counts a crawl as; empty: the crawl's start (UTC)
XXGK_REVERIFY_DATE = ""
#: the months annual reports are posted in (due by 31 January): in season every list page of a column
#: missing a body's expected report is read every run; out of season (and for complete columns) each at least once every XXGK_LIST_DAYS (at most XXGK_REVERIFY_DAYS; ≤ 1: every run,
#: `xxgk crawl --lists`), the archived copy standing in on the other nights (crawler/revisit.py)
XXGK_SEASON_MONTHS = "1-4"
XXGK_LIST_DAYS = 7
#: in season, a column already listing every body's report of this year keeps XXGK_LIST_DAYS; 0: the
#: crawl day's year − 1 (the reports due by 31 January; crawler/revisit.py complete_columns)
XXGK_SEASON_YEAR = 0
#: a live progress line on stdout: None = only when stdout is a terminal, True/False = always/never
XXGK_PROGRESS = None
XXGK_PROGRESS_INTERVAL = 1.0  # seconds between updates of the progress line
EXTENSIONS = {
    # one crawl_runs row per run, the verdict also in the stats (the CLI exits non-zero on "failed")
    "crawler.extensions.crawl_runs.CrawlRunsExtension": 500,
    "crawler.extensions.progress.ProgressExtension": 510,
}

#: fetch the files and table pictures a report page links to and read them with it: many reports
#: keep their numbers only there. Off (`-s XXGK_ATTACHMENTS=0`) for a pages-only crawl.
XXGK_ATTACHMENTS = True

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
# No remote consoles: a crawl of public pages needs no way in from the outside.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

# --- distributed mode (xxgk worker / xxgk drain; crawler/distributed/) -------------------------
# Read only by the distributed components, which `xxgk worker` switches on
# (crawler.distributed.settings.worker_settings: Redis scheduler, push stage); a plain crawl ignores them.
#: Redis holding the shared queue, dupefilter and items; set by `--redis URL`
XXGK_REDIS_URL = None
#: key prefix: one Redis can hold several independent crawls
XXGK_REDIS_PREFIX = "xxgk"
#: seconds a worker's heartbeat lives: a worker silent this long is dead and its requests re-queued
#: (long enough to survive a GC pause or a slow extraction; short enough to recover quickly)
XXGK_WORKER_HEARTBEAT_TTL = 30.0
#: seconds without progress of a worker's reactor after which it counts as hung: its heartbeat thread
#: (which beats every TTL/3 however busy the reactor is) stops, and the fleet takes its requests over
XXGK_WORKER_STALL_S = 600.0
#: seconds a worker waits once nothing is queued or leased anywhere before it exits
XXGK_WORKER_IDLE_TIMEOUT = 30.0
#: seconds workers, the drainer and the seeder wait (reconnecting, with backoff) for an unreachable or
#: restarted Redis before they give up (crawler/distributed/connection.py)
XXGK_REDIS_OUTAGE_S = 300.0
#: a host's limits hold for the whole fleet, not per worker (crawler/distributed/politeness.py): at most
#: XXGK_HOST_CONCURRENCY requests in flight (default CONCURRENT_REQUESTS_PER_DOMAIN) and XXGK_HOST_DELAY s
#: between two starts (default DOWNLOAD_DELAY), counted in Redis across every worker
XXGK_HOST_POLITENESS = True
