"""Free text to words: clean it, open contractions, split it into sentences and segments,
and stem each word.

Pure functions over plain data; what counts as a contraction comes from the knowledge
base (data/reading.yaml), passed in by the caller.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer

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
# or a question mark (which marks the sentence as uncertain).
_WORD = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?|[\u3400-\u9fff\uf900-\ufaff]+|\?")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    with _STEMMER_LOCK:
        stemmed: str = _STEMMER.stemWord(word)  # snowballstemmer ships no type information
    return stemmed


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
    return bool(_CJK.search(text))


@dataclass(frozen=True, slots=True)
class Word:
    raw: str
    stem: str
    segment: int  # segments are numbered through the whole sentence


def words(text: str, contractions: dict[str, str]) -> list[str]:
    """The words of a piece of text, contractions opened ("can't" -> "can", "not")."""
    out: list[str] = []
    for token in re.findall(r"[a-z0-9'.\u3400-\u9fff\uf900-\ufaff?]+", text):
        token = token.strip("'.")
        if not token:
            continue
        opened = contractions.get(token)
        if opened is not None:
            out.extend(opened.split())
            continue
        if token.endswith("'s"):
            token = token[:-2]
        out.extend(_WORD.findall(token.replace("'", "")))
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
