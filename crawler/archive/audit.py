"""What a reparse found wrong with the archive it read: each problem named by file and offset.

A WARC directory met in the wild is not always one xxgk wrote whole: a file cut short (a kill, a
full disk, a copy that stopped), a record whose bytes changed after it was written (its
``WARC-Payload-Digest`` / ``WARC-Block-Digest`` no longer match), a file another crawler wrote
(no xxgk warcinfo, no ``XXGK-Context``: nothing to rebuild items from), a CDXJ index that does not
describe its file (lines pointing where no such record is). The reader skips what cannot be trusted
— the torn tail, the damaged record, the foreign file — reads everything else, and records each
case here; ``xxgk reparse`` prints them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from crawler.archive.cdxj import INDEX_SUFFIX, parse_line

TRUNCATED = "truncated"
DIGEST = "digest"
FOREIGN = "foreign"
INDEX = "index"


@dataclass(frozen=True, slots=True)
class ArchiveProblem:
    kind: str  # truncated / digest / foreign / index
    file: str  # the WARC (or CDXJ) file's name inside DIR/warc
    offset: int | None  # of the record concerned, when there is one
    detail: str

    def __str__(self) -> str:
        where = self.file if self.offset is None else f"{self.file}@{self.offset}"
        return f"{self.kind}: {where}: {self.detail}"


@dataclass
class ArchiveProblems:
    found: list[ArchiveProblem] = field(default_factory=list)

    def add(self, kind: str, file: str, offset: int | None, detail: str) -> None:
        self.found.append(ArchiveProblem(kind, file, offset, detail))

    def of_kind(self, kind: str) -> list[ArchiveProblem]:
        return [problem for problem in self.found if problem.kind == kind]

    def __len__(self) -> int:
        return len(self.found)


def is_xxgk_warcinfo(payload: bytes) -> bool:
    """Whether a warcinfo record's fields are the ones crawler.archive.writer writes."""
    fields = dict(_fields(payload))
    return "xxgk-worker" in fields or fields.get("software", "").startswith("xxgk/")


def warcinfo_software(payload: bytes) -> str:
    return dict(_fields(payload)).get("software", "unknown software")


def _fields(payload: bytes) -> list[tuple[str, str]]:
    text = payload.decode("utf-8", errors="replace")
    pairs = (line.partition(":") for line in text.splitlines())
    return [(name.strip().lower(), value.strip()) for name, sep, value in pairs if sep]


def check_index(warc_path: Path, records: dict[int, str], complete: bool, problems: ArchiveProblems) -> None:
    """Compare ``warc_path``'s CDXJ index with the response/revisit records read from the file
    (offset → record ID). ``complete`` is False when the file was cut short: lines past the cut are
    then expected to point nowhere and are reported as truncation, not as a bad index."""
    index_path = warc_path.with_name(warc_path.name + INDEX_SUFFIX)
    if not index_path.exists():
        problems.add(INDEX, index_path.name, None, "missing: the WARC file has no index beside it")
        return
    wrong, past_cut, lines = [], 0, 0
    with index_path.open(encoding="utf-8", errors="replace") as stream:
        for number, line in enumerate(stream, 1):
            if not line.endswith("\n") or not line.strip() or line.startswith("!"):
                continue  # a torn last line: the writer died mid-line
            lines += 1
            try:
                entry = parse_line(line)
            except (ValueError, KeyError, json.JSONDecodeError) as error:
                wrong.append(f"line {number} does not parse ({type(error).__name__})")
                continue
            found = records.get(entry.offset)
            if entry.filename != warc_path.name:
                wrong.append(f"line {number} names another file ({entry.filename})")
            elif found is None and not complete and entry.offset > max(records, default=-1):
                past_cut += 1
            elif found is None:
                wrong.append(f"line {number}: no response record at offset {entry.offset}")
            elif entry.record_id and entry.record_id != found:
                wrong.append(f"line {number}: offset {entry.offset} holds {found}, not {entry.record_id}")
    if wrong:
        shown = "; ".join(wrong[:3]) + (f"; … {len(wrong) - 3} more" if len(wrong) > 3 else "")
        problems.add(INDEX, index_path.name, None,
                     f"does not match its file: {len(wrong)} of {lines} lines wrong ({shown})")
    if past_cut:
        problems.add(INDEX, index_path.name, None, f"{past_cut} lines point past the end of the cut file")
