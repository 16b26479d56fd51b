"""What a reparse's pool workers run, and what their fork server loads: Scrapy-free.

The fork server imports :data:`PRELOAD` once and forks every worker from that image, so whatever
those modules import is CPU spent at the start of every reparse on all cores, before the first
worker exists (Scrapy with Twisted under it: about a third of a second, for nothing a worker runs).
Every function the reparse sends to its pool lives in one of them; tests/test_offload_imports.py
holds both: the modules import no Scrapy, and the functions are theirs.
"""

from __future__ import annotations

import dataclasses

from crawler.items import Item, ReportPage
from pipelines.chain import CPU_STAGES, Stage, run_cpu_stages, worker_preload
from pipelines.report_rows import with_rows

#: imported once by the fork server, so that every worker starts with the stages loaded: the CPU
#: stages, the worker functions of the reparse (this module, the batches' runner, a page's attachment
#: links) and of the passes at close (search rows, templated-report sketches)
PRELOAD = [
    *worker_preload(), "crawler.reparse.pooled", "crawler.reparse.batches",
    "crawler.platforms.attachments", "crawler.search", "crawler.similarity",
]  # fmt: skip


def for_the_writer(item: Item, stages: tuple[Stage, ...] = CPU_STAGES) -> Item:
    """The CPU stages in a worker process, and the item as the database stages need it back: without
    the parsed page (only extract reads it) and without the bodies the writer already holds (the
    page's and its files', a PDF may be megabytes), put back by :func:`with_bodies`; its report's
    cells and checks as the rows the store writes (pipelines/report_rows.py), not as objects."""
    item = run_cpu_stages(item, stages)
    if isinstance(item, ReportPage):
        files = [dataclasses.replace(document, body=None) for document in item.attachments]
        item = with_rows(dataclasses.replace(item, page=None, body=b"", attachments=files))
    return item


def with_bodies(returned: Item, sent: Item) -> Item:
    """The worker's result with the bodies of the item sent to it (its files in the same order)."""
    if isinstance(returned, ReportPage) and isinstance(sent, ReportPage):
        returned.body = sent.body
        for document, original in zip(returned.attachments, sent.attachments, strict=True):
            document.body = original.body
    return returned
