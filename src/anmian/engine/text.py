"""Free text to words: clean it, open contractions, split it into sentences and segments,
and stem each word.

Pure functions over plain data; what counts as a contraction comes from the knowledge
base (data/reading.yaml), passed in by the caller.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import cache, lru_cache

import snowballstemmer

from anmian.engine.record import Record

MAX_CHARS = 2000  # one phrase; longer text is read in its first MAX_CHARS characters only

_STEMMER = snowballstemmer.stemmer("english")
# The stemmer keeps the word being stemmed on itself, so two threads stemming at once (a web
# server's threads building the reader's indexes) corrupt each other's word: IndexError, 500.
_STEMMER_LOCK = threading.Lock()
# Sentences end at . ! ? ; and line breaks (a full stop between digits is a decimal point).
_SENTENCE = re.compile(r"(?<!\d)\.(?!\d)|[!;\n\r]|(?<=\?)")
# Segments: commas, brackets, slashes, "+" and the word "plus" (a list item each).
_SEGMENT = re.compile(r"[,()\[\]/+|]|\bplus\b")
# Words: latin letters and digits (a decimal number stays whole), a run of CJK characters,
# or a question mark (which marks the sentence as uncertain). Text that is all ASCII (most
# of it) holds no CJK character, so it is read with the same patterns less their CJK
# classes: the same words, and the CJK patterns, whose classes of 27,000 characters cost
# the CLI's start about 8 ms to compile, are compiled on the first text that needs them.
_CJK_CLASS = "\u3400-\u9fff\uf900-\ufaff"
_TOKEN_ASCII = re.compile(r"[a-z0-9'.?]+")
_WORD_ASCII = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?|\?")


@cache
def _cjk() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """(a CJK character, a token, a word): the patterns for text that is not all ASCII."""
    return (
        re.compile(f"[{_CJK_CLASS}]"),
        re.compile(f"[a-z0-9'.{_CJK_CLASS}?]+"),
        re.compile(f"[a-z0-9]+(?:\\.[0-9]+)?|[{_CJK_CLASS}]+|\\?"),
    )


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    with _STEMMER_LOCK:
        stemmed: str = _STEMMER.stemWord(word)  # snowballstemmer ships no type information
    return stemmed


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """Common English words of four letters or more (english_words.txt, from SCOWL), read
    the first time a spelling is checked: a word in it is spelled right."""
    import os

    with open(os.path.join(os.path.dirname(__file__), "english_words.txt"), encoding="utf-8") as f:
        return frozenset(w for w in f.read().splitlines() if w.isalpha())


def clean(text: str) -> str:
    """Case-folded NFKC text without control or format characters (emoji and zero-width
    joiners included), curly quotes made straight."""
    text = unicodedata.normalize("NFKC", text[:MAX_CHARS]).casefold()
    text = text.replace("’", "'").replace("‘", "'").replace("`", "'")
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if ch in "\n\r":
            out.append("\n")
        elif cat[0] == "C" or cat in ("So", "Sk", "Mn"):
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


def has_cjk(text: str) -> bool:
    return not text.isascii() and _cjk()[0].search(text) is not None


class Word(Record):
    __slots__ = ("raw", "stem", "segment")  # noqa: RUF023

    def __init__(self, raw: str, stem: str, segment: int) -> None:
        self.raw = raw
        self.stem = stem
        self.segment = segment  # segments are numbered through the whole sentence


def words(text: str, contractions: dict[str, str]) -> list[str]:
    """The words of a piece of text, contractions opened ("can't" -> "can", "not")."""
    out: list[str] = []
    if text.isascii():
        tokens, word = _TOKEN_ASCII, _WORD_ASCII
    else:
        _, tokens, word = _cjk()
    for token in tokens.findall(text):
        token = token.strip("'.")
        if not token:
            continue
        opened = contractions.get(token)
        if opened is not None:
            out.extend(opened.split())
            continue
        if token.endswith("'s"):
            token = token[:-2]
        out.extend(word.findall(token.replace("'", "")))
    return out


_NO_ONE = re.compile(r"\bno[\s-]+one\b")


def sentences(
    text: str, contractions: dict[str, str], forms: dict[str, str] | None = None
) -> list[list[Word]]:
    """Cleaned text as sentences of words, each word tagged with its segment number and
    stemmed as its canonical form (`forms`: "swollen" as "swell", "anemia" as "anaemia")."""
    forms = forms or {}
    out: list[list[Word]] = []
    # "no one" is one word, a pronoun: its "one" is not "one leg"
    for sentence in _SENTENCE.split(_NO_ONE.sub("noone", clean(text))):
        found: list[Word] = []
        for n, segment in enumerate(_SEGMENT.split(sentence)):
            for w in words(segment.replace("-", " ").replace("_", " "), contractions):
                found.append(Word(w, w if w == "?" else stem(forms.get(w, w)), n))
        if found:
            out.append(found)
    return out
