"""The stemmer under a threaded web server (found by bench/servers.py: 500s from the assess
API while gunicorn's threads built the reader's indexes at once). snowballstemmer keeps the
word in hand on the stemmer object, so text.stem serialises the calls."""

from __future__ import annotations

import threading

from anmian.engine import text

# Porter2 (snowballstemmer's English) as its published vocabulary lists give them.
EXPECTED = {"crawling": "crawl", "aching": "ach", "restless": "restless", "sleeping": "sleep"}


def test_eight_threads_stemming_at_once_get_the_same_stems_as_one():
    words = [w + suffix for w in EXPECTED for suffix in ("", "s", "ly", "ness")] * 300
    alone = {w: text.stem.__wrapped__(w) for w in set(words)}
    assert {w: alone[w] for w in EXPECTED} == EXPECTED
    found: list[dict[str, str]] = []
    errors: list[BaseException] = []

    def run(part: list[str]) -> None:
        try:
            found.append({w: text.stem.__wrapped__(w) for w in part})  # past the cache
        except BaseException as exc:  # an IndexError from a corrupted word
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(words[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for result in found:
        assert all(alone[w] == s for w, s in result.items())
