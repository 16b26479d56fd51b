"""The shared extraction module: pure functions, bytes/str in, dataclasses out.

No Scrapy, no sqlite, no network, no clock (``tests/test_extract_purity.py`` enforces it).
"""
