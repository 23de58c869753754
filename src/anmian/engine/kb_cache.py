"""The CLI's cache of the checked knowledge base, as plain data: no pydantic, no YAML on a hit.

`anmian assess` starting cold paid for pydantic (its models and their first validation), PyYAML
and the checks on every run. The first run loads and checks the YAML as always
(knowledge/loader.py), copies the models into plain objects (knowledge/plain.py), runs one
small assessment so that everything the engine builds once per knowledge base is built (the
reader's, hazards' and allergies' indexes, the patterns' table, ...: engine/memo.py's
registry), and pickles the lot into the user cache folder (`$XDG_CACHE_HOME/anmian` on Linux,
or ANMIAN_CACHE_DIR). Later runs unpickle it and hand those pieces back to the engine.

The cache is keyed by the path, size and modification time of every YAML file of the knowledge
base and of the code that reads or builds from it, and the whole key is stored in the file and
compared, so an edit is never served stale. A cache that cannot be read, or holds anything but
what this module wrote, is ignored (a full load then, and the cache is written again); a folder
that cannot be written only means no cache. ANMIAN_KB_CACHE=0 turns it off.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import zlib
from typing import Any

try:  # the C unpickler alone: pickle.py's Python classes cost the quick path 1.5 ms to import
    from _pickle import loads as _loads
except ImportError:  # a Python without it: pickle's own
    from pickle import loads as _loads

from anmian.engine.memo import REGISTRY
from anmian.knowledge.base import KnowledgeBase
from anmian.knowledge.plain import to_plain

FORMAT = 1  # bumped when what is pickled changes shape
# Plain strings and os.path, not pathlib: importing pathlib costs this path 4 ms.
ENGINE = os.path.dirname(os.path.realpath(__file__))
HERE = os.path.join(os.path.dirname(ENGINE), "knowledge")


def _files(folder: str, *endings: str) -> list[str]:
    return sorted(
        os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(endings)
    )


def _code() -> list[str]:
    """The code whose change must invalidate the cache: the knowledge base's schema and
    loader, and every engine module (what they build once per base is pickled too)."""
    return [*_files(HERE, ".py"), *_files(ENGINE, ".py", ".yaml", ".json")]


def _key(root: str) -> str:
    """Every file the cache depends on, with its size and modification time."""
    files = sorted(
        os.path.join(folder, name)
        for folder, _, names in os.walk(root)
        for name in names
        if name.endswith(".yaml")
    )
    rows = [f"anmian plain knowledge base {FORMAT}"]
    for path in (*files, *_code()):
        st = os.stat(path)
        rows.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}")
    return "\n".join(rows)


def _name(key: str) -> str:
    # a short name for the file; the whole key is kept inside it and compared on reading
    data = key.encode()
    return f"{zlib.crc32(data):08x}{zlib.adler32(data):08x}"


def cache_folder() -> str | None:
    """ANMIAN_CACHE_DIR, else the XDG cache folder on Linux ($XDG_CACHE_HOME/anmian, by
    default ~/.cache/anmian: what platformdirs gives, found without importing it, 8 ms), else
    platformdirs' user cache folder (anmian.paths); None when there is no home to put it in."""
    found = os.environ.get("ANMIAN_CACHE_DIR")
    if found:
        return found
    if sys.platform.startswith("linux"):
        xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
        base = xdg or os.path.expanduser("~/.cache")
        return os.path.join(base, "anmian") if os.path.isabs(base) else None
    from anmian import paths

    try:
        return str(paths.cache_dir())
    except (OSError, RuntimeError):  # no home folder to find a cache folder in
        return None


def cache_path(root: str, key: str) -> str | None:
    """Where the plain cache of this content lives; None when there is no cache folder. The
    name starts with the data folder's own hash, so that two checkouts (or a checkout and an
    installed CLI) sharing the folder each keep theirs."""
    folder = cache_folder()
    if folder is None:
        return None
    return os.path.join(folder, f"kb-plain-{_name(root)}-{_name(key)}.pickle")


# A small case that reaches every index and table the engine builds once per knowledge base
# (reader, hazards, allergies, patterns, red flags), so the cache holds them all.
WARM_UP = {
    "findings": ["crawling feeling in my legs in the evening", "no fever", "pale tongue"],
    "medications": ["warfarin"],
    "conditions": ["diabetes"],
    "allergies": ["ginseng"],
    "severity": {"scale": "anmian-leg-scale", "answers": [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]},
}


def load_plain(root: str | os.PathLike[str] | None = None) -> KnowledgeBase:
    """The checked knowledge base as plain data, from the cache when it holds this content,
    with what the engine builds once per base primed from the cache too. Raises
    KnowledgeError as `load` does."""
    root = os.fspath(root) if root else os.path.join(HERE, "data")
    path = None
    key = ""
    if os.environ.get("ANMIAN_KB_CACHE", "1") != "0":
        try:
            key = _key(root)
        except OSError:  # a file went away while it was being listed: no cache this time
            pass
        else:
            path = cache_path(root, key)
    if path is not None:
        got = _read(path, key)
        if got is not None:
            return got
    from pathlib import Path

    from anmian.knowledge.loader import _load

    kb = to_plain(_load(Path(root)))
    built = _warm(kb)
    if path is not None:
        _write(path, key, kb, built)
    return kb


def _warm(kb: KnowledgeBase) -> dict[str, Any]:
    """What every once-per-base function built for kb, after one assessment."""
    from anmian.engine import InputError, assess, parse_input

    # Whatever goes wrong here (a base without this scale, say) only means less is cached.
    with contextlib.suppress(InputError, LookupError, ValueError, TypeError, AttributeError):
        assess(parse_input(WARM_UP), kb, allow_unknown=True)
    out = {}
    for name, fn in REGISTRY.items():
        done, value = fn.built(kb)  # type: ignore[attr-defined]
        if done:
            out[name] = value
    return out


def _read(path: str, key: str) -> KnowledgeBase | None:
    enabled = gc.isenabled()
    gc.disable()  # unpickling makes many objects and no cycles to collect
    try:
        with open(path, "rb") as fh:
            got = _loads(fh.read())  # faster than pickle.load's reads from the file
        fmt, stored_key, kb, built = got
    except Exception:  # missing, truncated, from another version: a full load instead
        return None
    finally:
        if enabled:
            gc.enable()
    if (
        fmt != FORMAT
        or stored_key != key
        or not isinstance(kb, KnowledgeBase)
        or not isinstance(built, dict)
    ):
        return None
    for name, value in built.items():
        fn = REGISTRY.get(name)
        if fn is None:  # a module not imported yet: import it, so its function registers
            module = name.partition(":")[0]
            try:
                __import__(module)
            except ImportError:
                continue
            fn = REGISTRY.get(name)
        if fn is not None:
            fn.prime(kb, value)  # type: ignore[attr-defined]
    return kb


def _shared(root: Any) -> Any:
    """`root` with equal strings, and equal tuples and frozensets of the same members, made one
    object each, changed in place: pickle writes an object once however often it is referred
    to, but two equal strings twice, and the base and the indexes built from it repeat the
    same words many times over. A third fewer objects to unpickle, 6 to 8 ms less of the
    CLI's start. Only immutable objects are merged (a list or dict stays itself), and a tuple
    only with one whose members are the same objects, so True never stands for 1."""
    strings: dict[str, str] = {}
    merged: dict[tuple[Any, ...], Any] = {}
    done: dict[int, Any] = {}  # id of an object seen -> what stands for it
    kept: list[Any] = []  # the objects seen, alive until the end, so their ids are not reused

    def share(obj: Any) -> Any:
        kind = type(obj)
        if kind is str:
            return strings.setdefault(obj, obj)
        if kind in (int, float, bool, type(None), bytes):
            return obj
        got = done.get(id(obj))
        if got is not None:
            return got
        kept.append(obj)
        if kind is tuple or kind is frozenset:
            members = [share(v) for v in obj]
            same = all(a is b for a, b in zip(members, obj, strict=True))
            got = merged.setdefault((kind, *map(id, members)), obj if same else kind(members))
            kept.append(members)
            done[id(obj)] = got
            return got
        done[id(obj)] = obj
        if kind is list:
            obj[:] = [share(v) for v in obj]
        elif kind is dict:
            items = [(share(k), share(v)) for k, v in obj.items()]
            obj.clear()
            obj.update(items)  # in the same order
        elif kind is set:
            members = [share(v) for v in obj]
            obj.clear()
            obj.update(members)
        else:
            fields = getattr(obj, "__dict__", None)
            if type(fields) is dict:
                for name, value in list(fields.items()):
                    fields[name] = share(value)
            for klass in kind.__mro__:
                for name in klass.__dict__.get("__slots__", ()):
                    if name not in ("__dict__", "__weakref__") and hasattr(obj, name):
                        object.__setattr__(obj, name, share(getattr(obj, name)))
        return obj

    return share(root)


def _write(path: str, key: str, kb: KnowledgeBase, built: dict[str, Any]) -> None:
    import pickle

    try:
        data = pickle.dumps((FORMAT, key, kb, built), protocol=pickle.HIGHEST_PROTOCOL)
    except (pickle.PicklingError, TypeError, AttributeError):  # something built will not pickle
        data = pickle.dumps((FORMAT, key, kb, {}), protocol=pickle.HIGHEST_PROTOCOL)
    # Shared in a copy read back from the pickle: the objects in use keep their own.
    copy = pickle.loads(data)
    with contextlib.suppress(RecursionError):
        data = pickle.dumps(_shared(copy), protocol=pickle.HIGHEST_PROTOCOL)
    try:
        folder, name = os.path.split(path)
        os.makedirs(folder, exist_ok=True)
        tmp = f"{path}.{os.getpid()}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)  # atomic: a concurrent reader sees the old file or the new one
        prefix = name.rsplit("-", 1)[0] + "-"
        for old in os.listdir(folder):
            if old.startswith(prefix) and old.endswith(".pickle") and old != name:
                # an older content's cache is never read again
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(os.path.join(folder, old))
    except OSError:
        pass  # no cache then; the next run loads in full again
