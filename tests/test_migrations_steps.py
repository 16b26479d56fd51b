"""The migration steps live in one module per group (crawler/migrations/); ``STEPS`` alone says
their order. A step written in a module but left out of ``STEPS`` would never run, and one listed
out of its number would apply before a step it may depend on."""

from __future__ import annotations

import inspect
import pkgutil
import re
from importlib import import_module

import crawler.migrations as package
from crawler.migrations import STEPS, migrations

STEP_NAME = re.compile(r"m(\d{3})_\w+")


def step_functions_in_the_modules() -> set[str]:
    found = set()
    for module_info in pkgutil.iter_modules(package.__path__):
        module = import_module(f"{package.__name__}.{module_info.name}")
        for name, value in inspect.getmembers(module, inspect.isfunction):
            if STEP_NAME.fullmatch(name) and value.__module__ == module.__name__:
                found.add(name)
    return found


def test_every_step_written_is_registered_once() -> None:
    registered = [step.name for step in migrations._migrations]
    assert sorted(registered) == sorted(step_functions_in_the_modules())
    assert len(set(registered)) == len(registered)


def test_steps_are_registered_in_the_order_of_their_numbers() -> None:
    numbers = [int(STEP_NAME.fullmatch(step.__name__).group(1)) for step in STEPS]  # type: ignore[union-attr]
    assert numbers == list(range(1, len(STEPS) + 1))
    assert [step.name for step in migrations._migrations] == [step.__name__ for step in STEPS]


def test_the_step_modules_do_not_import_the_package() -> None:
    """The order is the package's alone: a step module registering itself would make it depend on
    which module was imported first."""
    for module_info in pkgutil.iter_modules(package.__path__):
        source = inspect.getsource(import_module(f"{package.__name__}.{module_info.name}"))
        assert not re.search(r"^from crawler\.migrations import|^import crawler\.migrations$", source, re.M)
