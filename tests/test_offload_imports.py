"""The CPU stage modules load without Scrapy: the extraction pool's fork server preloads them
(crawler/fleet.py) and forks every worker from that image, so whatever they import is CPU spent once
per crawl (and memory in every worker) for nothing a worker runs."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pipelines.chain import CPU_STAGES
from pipelines.offload import WORKER_FORBIDDEN

ROOT = Path(__file__).resolve().parent.parent

#: a fresh interpreter imports the modules named on its command line, then prints the top-level
#: packages it holds that are forbidden
PROBE = """
import importlib, json, sys
forbidden = set(json.loads(sys.argv[1]))
for name in sys.argv[2:]:
    importlib.import_module(name)
print(json.dumps(sorted({module.split(".")[0] for module in sys.modules} & forbidden)))
"""


def loaded_forbidden(modules: list[str]) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(WORKER_FORBIDDEN)), *modules],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)


def test_the_cpu_stage_modules_import_no_scrapy() -> None:
    modules = sorted({stage.module for stage in CPU_STAGES} | {"pipelines.offload"})
    assert loaded_forbidden(modules) == []


def test_the_probe_sees_a_forbidden_import() -> None:
    # the probe itself works: a module known to pull Scrapy in is caught
    assert loaded_forbidden(["pipelines.store"]) == ["scrapy", "twisted"]


def test_the_reparse_fork_servers_preload_imports_no_scrapy() -> None:
    from crawler.reparse.pooled import PRELOAD

    assert loaded_forbidden(list(PRELOAD)) == []


def test_every_function_a_reparse_sends_to_its_pool_is_preloaded() -> None:
    # a worker unpickles a task's function by importing its module: one outside the preload would be
    # imported by every worker again, and with whatever it pulls in (Scrapy, for the reparse's own modules)
    from crawler.platforms.attachments import attachment_links
    from crawler.reparse.batches import run_batch
    from crawler.reparse.pooled import PRELOAD, for_the_writer
    from crawler.search import search_row
    from crawler.similarity import sections_and_sketch, sentence_keys
    from pipelines.chain import run_cpu_stages

    sent = [run_batch, for_the_writer, attachment_links, search_row, sentence_keys, sections_and_sketch]
    assert {function.__module__ for function in sent} <= set(PRELOAD)
    # the stages' own functions, and the module of the Stage objects sent with every page
    assert run_cpu_stages.__module__ == "pipelines.chain" and loaded_forbidden(["pipelines.chain"]) == []


#: a fresh interpreter loads what a crawl process loads — every pipeline class, as Scrapy does, and
#: every spider, platform base and extension module — then prints the modules it holds of the ones named
CLASSES_PROBE = """
import importlib, json, pkgutil, sys
import crawler.extensions, crawler.platforms, crawler.spiders
from pipelines.chain import CRAWL_CHAIN
for stage in CRAWL_CHAIN:
    getattr(importlib.import_module(stage.module), stage.pipeline.rsplit(".", 1)[1])
for package in (crawler.extensions, crawler.platforms, crawler.spiders):
    for found in pkgutil.iter_modules(package.__path__, package.__name__ + "."):
        importlib.import_module(found.name)
print(json.dumps(sorted(set(json.loads(sys.argv[1])) & set(sys.modules))))
"""


def test_the_crawl_process_loads_the_stage_classes_without_what_only_workers_run() -> None:
    from pipelines.chain import worker_preload

    preload = worker_preload()
    worker_only = [module for module in preload if module.startswith("crawler.extract.")]
    assert {"crawler.extract.report", "crawler.extract.documents"} <= set(worker_only)
    assert {stage.module for stage in CPU_STAGES} <= set(preload)  # the fork server still loads them
    out = subprocess.run(
        [sys.executable, "-c", CLASSES_PROBE, json.dumps(worker_only)],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert json.loads(out.stdout) == []
