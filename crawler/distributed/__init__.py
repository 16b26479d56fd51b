"""Distributed mode: many ``xxgk worker`` processes, on one or many machines, share one crawl through
Redis (scrapy-redis), and one ``xxgk drain`` writes SQLite.

::

    xxgk crawl SITE… --distributed --redis URL   seed: the sites' start requests → P:SITE:requests
    xxgk worker --redis URL  (× N)                lease a request → fetch, archive (own WARC files),
                                                  normalise, extract → child requests → queue (through
                                                  the shared dupefilter), items → P:items; release lease
    xxgk drain --redis URL                        P:items → dedupe → store → DIR/xxgk.db (one writer)

Where the pipeline splits: the CPU-heavy stages (normalise, extract; OCR later) run on the workers,
so they scale with them; dedupe and store read and write the database, so they run in the one
drainer, unchanged (``pipelines/dedupe.py``, ``pipelines/store.py``).

Modules: ``state`` (Redis keys, leases, heartbeats, completion), ``scheduler`` (scrapy-redis
scheduler and queue, made reliable), ``worker`` (the worker extension), ``codec`` (tagged JSON on
the wire, no pickle), ``seed``, ``drain``, ``settings`` (what ``xxgk worker`` switches on),
``connection`` (Redis clients that wait through an outage; a Redis that forgot the crawl fails loudly).
"""
