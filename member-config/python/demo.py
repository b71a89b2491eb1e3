"""Functions the demo member calls; importable because hazelcast.yaml lists this folder in hzpy.module-path."""
import json


def greet(name, punctuation="!"):
    return f"Hello, {name}{punctuation}"


def word_stats(text):
    words = text.split()
    counts = {}
    for w in words:
        counts[w.lower()] = counts.get(w.lower(), 0) + 1
    return {"words": len(words), "distinct": len(counts), "top": max(counts, key=counts.get) if counts else None}


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def roundtrip(obj):
    return json.loads(json.dumps(obj))


def where():
    """The process id of the member that runs this call: each member of the demo is a JVM of its own."""
    import os
    return os.getpid()


def slow(seconds, value):
    """Holds its permit for a while, as real work would."""
    import time
    time.sleep(seconds)
    return value
