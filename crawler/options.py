"""Click options and failure shared by every ``xxgk`` command (crawler/cli.py, crawler/commands/).

Each option is written once here, as sqlite-utils' cli.py shares its option decorators, so that
``--data-dir`` means the same (and reads the same ``XXGK_DATA_DIR``) in every command that takes it.
This module sits below the commands: it imports nothing of them, and nothing of Scrapy.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from crawler.distributed.state import DEFAULT_PREFIX
from crawler.running import parse_overrides

F = TypeVar("F", bound=Callable[..., Any])

DEFAULT_DATA_DIR = "data"


def fail(message: str) -> NoReturn:
    """Exit non-zero with a one-line reason (the CLI contract)."""
    raise click.ClickException(message)


def one_line(error: BaseException) -> str:
    """An exception as the one line ``fail`` prints (messages from libraries may span lines)."""
    return " ".join(str(error).split()) or type(error).__name__


def data_dir_option(func: F) -> F:
    return click.option(
        "--data-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=DEFAULT_DATA_DIR,
        show_default=True,
        envvar="XXGK_DATA_DIR",
        show_envvar=True,
        help="Where the database (DIR/xxgk.db) and the archive (DIR/warc/) live.",
    )(func)


def year_option(func: F) -> F:
    return click.option("--year", type=int, default=None, help="Only reports on this year.")(func)


def _overrides(ctx: click.Context, param: click.Parameter, pairs: Sequence[str]) -> dict[str, Any]:
    try:
        return parse_overrides(pairs)
    except ValueError as error:  # exit 1 with the reason, as every other refusal of the CLI
        fail(str(error))


def settings_option(func: F) -> F:
    """``-s KEY=VALUE`` (repeatable), handed to the command as a dict of Scrapy settings."""
    return click.option(
        "-s", "--set", "settings", multiple=True, metavar="KEY=VALUE", callback=_overrides,
        help="A Scrapy setting (VALUE read as JSON when it parses).",
    )(func)


def redis_option(*, required: bool = True, help: str = "") -> Callable[[F], F]:
    """``--redis URL`` (or ``$XXGK_REDIS_URL``): required by workers and the drainer, optional for crawl."""
    return click.option(
        "--redis", "redis_url", required=required, default=None, envvar="XXGK_REDIS_URL", metavar="URL",
        help=help or "The shared Redis, e.g. redis://10.0.0.5:6379/0 (or $XXGK_REDIS_URL).",
    )


def prefix_option(func: F) -> F:
    return click.option(
        "--prefix", default=DEFAULT_PREFIX, show_default=True,
        help="Redis key prefix: one Redis can hold several crawls.",
    )(func)
