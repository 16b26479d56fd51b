"""Chinese full-text search over reports, with SQLite's stock FTS5 (no loadable extension).

FTS5's ``unicode61`` tokenizer reads a run of Han characters as one token, and SQLite 3.40's
``trigram`` tokenizer never matches queries shorter than three characters, so neither finds 复议 in
``…申请行政复议的…``. Instead, a shadow table (``reports_search``) holds each report's title, body
names and text re-written as space-separated tokens: every Han run becomes its overlapping bigrams
plus its last character (``行政复议`` → ``行政 政复 复议 议``); anything else is kept for
``unicode61`` to tokenise as usual. A query is re-written the same way into an FTS5 phrase
(``复议`` → ``"复议"``, ``行政复议`` → ``"行政 政复 复议"``, ``局`` → ``"局" *``), so every substring of a
Han run matches, of any length, and only where the characters are adjacent.

The query side runs inside Datasette: ``crawler/datasette/plugins/xxgk.py`` registers
:func:`fts_query` as the SQL function ``escape_fts`` that Datasette's table search box calls.
Without that plugin, two-character queries still match (a bigram is one token); longer Han
queries would not.
"""

from __future__ import annotations

import hashlib
import operator
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator

from sqlite_utils import Database

from crawler.plainsql import insert_rows

SEARCH_TABLE = "reports_search"
FTS_TABLE = f"{SEARCH_TABLE}_fts"
SEARCH_COLUMNS = ["title", "agency", "body"]
#: what ``reports`` holds for its shadow row (:func:`search_row` reads these keys)
REPORT_COLUMNS = "id, title, agency, agency_as_printed, text"
#: an upsert on the key, as sqlite-utils' upsert_all writes it, without its sniffing of values
_UPSERT = "ON CONFLICT([id]) DO UPDATE SET " + ", ".join(
    f"[{column}] = excluded.[{column}]" for column in ("title", "agency", "body", "digest")
)

# Han ideographs (BMP, extension A, compatibility, extensions B–H) and 〇, which unicode61 reads as
# a letter: all the characters that appear in body names and report text.
_HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
_SEGMENT_RE = re.compile(f"([{_HAN}]+)|([^{_HAN}]+)")
_HAN_RE = re.compile(f"[{_HAN}]")
_HAN_RUN_RE = re.compile(f"([{_HAN}]+)")
# Datasette's own term splitting (datasette.utils.escape_fts): whitespace, or a "quoted phrase".
_TERM_RE = re.compile(r'\s+|(".*?")')


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters, compatibility ideographs) and lower case, as stored."""
    return unicodedata.normalize("NFKC", text).lower()


def han_run_tokens(run: str, *, bounded: bool) -> list[str]:
    """Overlapping bigrams of a Han run, plus its last character if the run ends here."""
    tokens = [run[i : i + 2] for i in range(len(run) - 1)]
    if bounded or len(run) == 1:
        tokens.append(run[-1])
    return tokens


def segments(text: str) -> Iterator[tuple[bool, str]]:
    """(is_han, text) pieces of ``text`` in order."""
    for match in _SEGMENT_RE.finditer(text):
        yield (True, match.group(1)) if match.group(1) else (False, match.group(2))


def index_text(text: str | None) -> str:
    """The shadow text stored for FTS5: Han runs as bigrams + last character, the rest as is
    (``han_run_tokens(run, bounded=True)`` for each run, the pieces joined by spaces)."""
    if not text:
        return ""
    # han_run_tokens(run, bounded=True) for every run, inlined: tokenising was most of the search
    # pass (every report's whole text), and map(add) pairs the characters without slicing each one.
    # split() with its group: the other text at even indexes (maybe empty), the Han runs at odd ones
    pieces = _HAN_RUN_RE.split(normalise(text))
    out: list[str] = []
    for other, run in zip(pieces[::2], pieces[1::2], strict=False):  # the last other piece: below
        if other:
            out.append(other)
        out.extend(map(operator.add, run, run[1:]))
        out.append(run[-1])
    if pieces[-1]:
        out.append(pieces[-1])
    return " ".join(out)


def term_phrase(term: str) -> str:
    """One search term as an FTS5 phrase that matches wherever the term occurs as a substring.

    A Han run followed by something else in the term must end there in the text too, so it gets
    its last character like the index; a run that ends the term may continue in the text, so it
    does not. A term ending in a lone Han character matches it as a prefix (``局`` → ``局*``).
    """
    pieces = list(segments(normalise(term)))
    tokens: list[str] = []
    for i, (is_han, piece) in enumerate(pieces):
        last = i == len(pieces) - 1
        tokens.extend(han_run_tokens(piece, bounded=not last) if is_han else piece.split())
    phrase = '"{}"'.format(" ".join(tokens).replace('"', '""'))
    lone_last = pieces and pieces[-1][0] and len(pieces[-1][1]) == 1
    return f"{phrase} *" if lone_last else phrase


def fts_query(query: str | None) -> str:
    """A user's search-box text → an FTS5 MATCH expression (all terms must match).

    Terms without Han characters are escaped exactly as Datasette does; ``"quoted phrases"`` are one
    term. Never produces FTS5 syntax errors: every term is a quoted phrase.
    """
    query = query or ""
    if query.count('"') % 2:
        query += '"'
    terms = [t.strip('"') for t in _TERM_RE.split(query) if t and t != '""']
    phrases = [term_phrase(t) if _HAN_RE.search(t) else '"{}"'.format(t.replace('"', "")) for t in terms]
    return " ".join(p for p in phrases if p not in ('""', '"" *'))


def snippet(text: str | None, query: str | None, width: int = 40) -> str:
    """The first place in ``text`` where a query term occurs, with ``width`` characters either side.

    FTS5's own snippet() would show the bigram shadow text, so the canned search query uses this.
    """
    if not text:
        return ""
    terms = [t.strip('"') for t in _TERM_RE.split(query or "") if t and t.strip('"')]
    folded = normalise(text)
    hits = [(folded.find(normalise(t)), t) for t in terms]
    hits = [(pos, t) for pos, t in hits if pos >= 0]
    if not hits:
        return text[: 2 * width]
    pos, term = min(hits)
    start, end = max(0, pos - width), min(len(text), pos + len(term) + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


# --- the index ------------------------------------------------------------------------------------


def report_names(report: dict) -> list[str]:
    return list(dict.fromkeys(n for n in (report.get("agency"), report.get("agency_as_printed")) if n))


def report_digest(report: dict) -> str:
    """What the shadow row was made from: a later refresh re-tokenises only when this changes."""
    source = "\0".join([report.get("title") or "", *report_names(report), report.get("text") or ""])
    return hashlib.sha1(source.encode("utf-8")).hexdigest()


def search_row(report: dict) -> dict:
    """The shadow row of one report."""
    return {
        "id": report["id"],
        "title": index_text(report.get("title")),
        "agency": index_text(" ".join(report_names(report))),
        "body": index_text(report.get("text")),
        "digest": report_digest(report),
    }


def ensure_search_tables(db: Database) -> None:
    if not db[SEARCH_TABLE].exists():
        db.table(SEARCH_TABLE).create(
            {"id": int, "title": str, "agency": str, "body": str, "digest": str}, pk="id"
        )
    if not db[FTS_TABLE].exists():
        # Triggers keep the index in step with every insert, update and delete of the shadow rows.
        db.table(SEARCH_TABLE).enable_fts(SEARCH_COLUMNS, fts_version="FTS5", create_triggers=True)


def changed_reports(db: Database, known: dict[int, str]) -> Iterator[dict]:
    """The reports whose shadow row is missing or was made from other text than they have now."""
    for report in db.query(f"select {REPORT_COLUMNS} from reports"):
        if known.get(report["id"]) != report_digest(report):
            yield report


def changed_rows(db: Database, known: dict[int, str]) -> Iterable[dict]:
    return map(search_row, changed_reports(db, known))


def upsert_search_rows(db: Database, rows: list[dict]) -> None:
    """Shadow rows (of :func:`search_row`) written over any earlier row of their report."""
    insert_rows(db, SEARCH_TABLE, rows, _UPSERT)


#: ``map``, or one that runs the function elsewhere (on a process pool), results in input order
RowMapper = Callable[[Callable[[dict], dict], Iterable[dict]], Iterable[dict]]


def refresh_search_index(db: Database, map_rows: RowMapper = map) -> None:
    """Bring the search index up to date with ``reports``: idempotent and incremental.

    Only reports whose title, body names or text changed are re-tokenised; rows of reports that
    are gone are removed. Call it after every crawl and reparse (cheap when nothing changed).
    ``map_rows`` tokenises the changed reports (``search_row`` is pure: a reparse runs it on its
    pool, so the one writer only inserts).
    """
    ensure_search_tables(db)
    known = {r["id"]: r["digest"] for r in db.query(f"select id, digest from [{SEARCH_TABLE}]")}
    with db.atomic():
        rows = list(map_rows(search_row, changed_reports(db, known)))
        upsert_search_rows(db, rows)
        gone = db.execute(
            f"delete from [{SEARCH_TABLE}] where id not in (select id from reports)"
        ).rowcount
    if rows or gone:
        db.table(SEARCH_TABLE).optimize()  # merge b-tree segments: smaller, faster index
