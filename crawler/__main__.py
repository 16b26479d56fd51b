"""The ``xxgk`` entry point (``[project.scripts]``, ``python -m crawler``): the command line imported
only when it runs.

Why not ``crawler.cli:main`` directly: the console script pip writes imports its entry module at its
top, and every process the extraction pool forks re-imports the parent's main script (multiprocessing's
forkserver, like spawn, runs it as ``__mp_main__`` in each worker). With ``crawler.cli`` there, each
worker of ``xxgk crawl`` or ``xxgk reparse`` loaded Scrapy, Twisted and every command — about 1,000
modules, 0.6-0.8 s of CPU — for nothing it runs. This module imports nothing at its top.
"""

from __future__ import annotations


def main() -> None:
    from crawler.cli import main as run_command_line

    run_command_line()


if __name__ == "__main__":
    main()
