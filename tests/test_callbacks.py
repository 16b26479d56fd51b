"""What Scrapy's per-response check (WARN_ON_GENERATOR_RETURN_VALUE, off in crawler/settings.py: it
re-parses a callback's source for every response) would say, said once for every spider's methods:
no generator method of a spider returns a value (a generator's ``return x`` is silently dropped)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Generator

from scrapy import Spider
from scrapy.utils.misc import is_generator_with_return_value

import crawler

PACKAGES = ("crawler.platforms", "crawler.spiders")


def spider_classes() -> set[type[Spider]]:
    found: set[type[Spider]] = set()
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for info in pkgutil.walk_packages(package.__path__, f"{package_name}."):
            module = importlib.import_module(info.name)
            found |= {value for value in vars(module).values()
                      if inspect.isclass(value) and issubclass(value, Spider) and value.__module__.startswith("crawler")}
    return found


def test_the_check_is_off_in_the_crawl_settings() -> None:
    from crawler import settings

    assert settings.WARN_ON_GENERATOR_RETURN_VALUE is False


def test_spider_generators_return_no_value() -> None:
    classes = spider_classes()
    assert classes, f"no spider class under {PACKAGES} ({crawler.__file__})"
    offenders = [
        f"{cls.__name__}.{name}" for cls in classes
        for name, func in inspect.getmembers(cls, inspect.isfunction)
        if func.__module__.startswith("crawler") and is_generator_with_return_value(func)
    ]
    assert offenders == []


def test_the_check_itself_catches_one() -> None:
    def bad(self: object) -> Generator[int, None, int]:
        yield 1
        return 2

    def good(self: object) -> Generator[int, None, None]:
        yield 1
        return None

    assert is_generator_with_return_value(bad) and not is_generator_with_return_value(good)
