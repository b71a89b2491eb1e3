"""json.loads on the corpus whose CPython answers jsoncorpus_expected holds (JsonCorpusTest)."""
import json

from jsoncorpus_expected import CASES


def _repr(value):
    """repr(value) of a decoded document, without recursion (repr of 400 nested lists would take
    more stack than a 1 MB thread has, and it is the decoder that is tested here)."""
    out = []
    todo = [value]
    while todo:
        v = todo.pop()
        t = type(v)
        if t is _Text:
            out.append(v.text)
        elif t is list:
            parts = [_Text("[")]
            for i, item in enumerate(v):
                if i:
                    parts.append(_Text(", "))
                parts.append(item)
            parts.append(_Text("]"))
            todo.extend(reversed(parts))
        elif t is dict:
            parts = [_Text("{")]
            for i, (k, item) in enumerate(v.items()):
                parts.append(_Text((", " if i else "") + repr(k) + ": "))
                parts.append(item)
            parts.append(_Text("}"))
            todo.extend(reversed(parts))
        else:
            out.append(repr(v))
    return "".join(out)


class _Text:
    __slots__ = ("text",)

    def __init__(self, text):
        self.text = text


def _outcome(doc):
    try:
        return "ok " + _repr(json.loads(doc))
    except Exception as e:
        t = type(e)
        name = t.__qualname__ if t.__module__ == "builtins" else t.__module__ + "." + t.__qualname__
        return "error %s: %s" % (name, e)


def mismatches():
    """Each case json.loads answers otherwise than CPython: its document, CPython's answer and ours."""
    out = []
    for doc, expected in CASES:
        got = _outcome(doc)
        if got != expected:
            out.append("%s\n  CPython: %s\n  here:    %s" % (ascii(doc)[:80], ascii(expected)[:200], ascii(got)[:200]))
    return out


def size():
    return len(CASES)
