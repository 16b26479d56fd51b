"""A shim for `scrapyd-deploy`, which builds its egg with `python setup.py bdist_egg` and would write a
setup.py of its own (without the package data) if none were here. Everything is in pyproject.toml."""

from setuptools import setup

setup()
