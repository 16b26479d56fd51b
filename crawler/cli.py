"""The ``xxgk`` command line: crawl, extract, demo, serve, …

Only the group lives here: each command is in crawler/commands/ (one module per theme), their shared
options and ``fail`` in crawler/options.py, and what runs a crawl in crawler/running.py. Imports go
one way, cli → commands → options/running → library, so nothing imports this module but the entry
point (``xxgk``, ``python -m crawler.cli``) and the tests.

Every command has help and an example (``xxgk COMMAND --help``). Failures exit non-zero with a
one-line reason on stderr.
"""

from __future__ import annotations

import click

from crawler.commands.analysis import similar
from crawler.commands.archive import export, reparse, replay
from crawler.commands.crawl import crawl
from crawler.commands.demo import demo, serve
from crawler.commands.distributed import drain, worker
from crawler.commands.doctor import doctor
from crawler.commands.extract import extract
from crawler.commands.sites import sites
from crawler.commands.status import status

#: every command of the group (``xxgk --help`` lists them alphabetically)
COMMANDS = (crawl, extract, demo, serve, reparse, export, replay, worker, drain, status, doctor, similar, sites)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="xxgk")
def cli() -> None:
    """xxgk: an archive of 政府信息公开工作年度报告 as data.

    \b
    xxgk demo                      crawl the offline replica into data/xxgk.db
    xxgk crawl wendeng hy          crawl the real portals (politely)
    xxgk extract report.html --json
    xxgk serve                     browse data/xxgk.db in Datasette
    Every command that takes --data-dir also reads $XXGK_DATA_DIR.
    """


for command in COMMANDS:
    cli.add_command(command)


def main() -> None:
    cli(prog_name="xxgk")


if __name__ == "__main__":
    main()
