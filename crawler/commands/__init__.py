"""Click commands that ``crawler.cli`` adds to the ``xxgk`` group, one module per theme."""
