"""Markdown text measures: sections along headings, retrieval chunks, previews, reading time.

Headings inside fenced code blocks (a ``# comment`` in a shell snippet) are not headings, so
every function here walks the text with the same fence-aware section splitter.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

CHUNK_MAX_WORDS = 200
WORDS_PER_MINUTE = 200
_HEADING = re.compile(r"^ {0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^ {0,3}(```|~~~)")
_WORD = re.compile(r"\S+")


@dataclass(frozen=True)
class Section:
    heading: str  # "" for the text before the first heading
    body: str


@dataclass(frozen=True)
class Chunk:
    heading: str
    content: str


def word_count(text: str) -> int:
    return len(_WORD.findall(text))


def reading_time_minutes(text: str) -> int:
    """Whole minutes at ~200 words a minute, never less than one."""
    return max(1, round(word_count(text) / WORDS_PER_MINUTE))


def sections(markdown: str) -> list[Section]:
    """The text split at headings; sections without body text are dropped."""
    found: list[Section] = []
    heading, in_fence = "", False
    lines: list[str] = []

    def flush() -> None:
        body = "\n".join(lines).strip("\n")
        if body.strip():
            found.append(Section(heading, body))

    for line in markdown.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        match = None if in_fence else _HEADING.match(line)
        if match:
            flush()
            heading, lines = match.group(2), []
        else:
            lines.append(line)
    flush()
    return found


def chunks(markdown: str, max_words: int = CHUNK_MAX_WORDS) -> list[Chunk]:
    """Retrieval chunks of at most ``max_words`` words that never straddle a heading.

    Paragraphs (and whole fenced code blocks) are packed together while they fit; a block that
    is too long on its own is cut at line breaks, and a line that is still too long at words.
    """
    out: list[Chunk] = []
    for section in sections(markdown):
        pending: list[str] = []
        size = 0
        for piece in _pieces(section.body, max_words):
            words = word_count(piece)
            if pending and size + words > max_words:
                out.append(Chunk(section.heading, "\n\n".join(pending)))
                pending, size = [], 0
            pending.append(piece)
            size += words
        if pending:
            out.append(Chunk(section.heading, "\n\n".join(pending)))
    return out


def preview(markdown: str, max_words: int) -> str:
    """The opening section, cut to ``max_words`` words (an open code fence is closed)."""
    first = next(iter(sections(markdown)), None)
    if first is None:
        return ""
    text = truncate_words(first.body.strip(), max_words)
    if len(_FENCE_MARKS.findall(text)) % 2:
        text += "\n```"
    return text


_FENCE_MARKS = re.compile(r"^ {0,3}(?:```|~~~)", re.MULTILINE)


def truncate_words(text: str, max_words: int) -> str:
    if max_words <= 0:
        return ""
    ends = [m.end() for m in _WORD.finditer(text)]
    if len(ends) <= max_words:
        return text
    return text[:ends[max_words - 1]].rstrip() + " …"


def _blocks(body: str) -> Iterator[str]:
    """Paragraphs separated by blank lines; a fenced code block stays one block."""
    current: list[str] = []
    in_fence = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        if not in_fence and not line.strip():
            if current:
                yield "\n".join(current)
                current = []
            continue
        current.append(line)
    if current:
        yield "\n".join(current)


def _pieces(body: str, max_words: int) -> Iterator[str]:
    for block in _blocks(body):
        if word_count(block) <= max_words:
            yield block
            continue
        lines: list[str] = []
        size = 0
        for line in block.splitlines():
            words = word_count(line)
            if words > max_words:
                if lines:
                    yield "\n".join(lines)
                    lines, size = [], 0
                yield from _word_groups(line, max_words)
                continue
            if lines and size + words > max_words:
                yield "\n".join(lines)
                lines, size = [], 0
            lines.append(line)
            size += words
        if lines:
            yield "\n".join(lines)


def _word_groups(line: str, max_words: int) -> Iterator[str]:
    words = line.split()
    for start in range(0, len(words), max_words):
        yield " ".join(words[start:start + max_words])
