"""Functions the demo member calls; importable because hazelcast.yaml lists this folder in hzpy.module-path."""
import json

import hzpy


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


def fib_py(n):
    """Fibonacci in Python that asks Java for the smaller ones (hzpy.call): Java's 'fib_memo' keeps
    each answer in the IMap and calls back here for those it does not know yet, n levels deep."""
    if n < 2:
        return n
    return hzpy.call("fib_memo", n - 1) + hzpy.call("fib_memo", n - 2)


def count_visit():
    """A counter shared by every member: no increment is lost, whoever makes it."""
    return hzpy.state_incr("demo:visits")


class Invoice:
    """A Python object whose method asks Java for an exchange rate."""

    def __init__(self, lines):
        self.lines = lines

    def total_in(self, currency):
        return round(sum(self.lines) * hzpy.call("rate", currency), 2)


def invoice_total(lines, currency):
    return Invoice(lines).total_in(currency)


def readings(n):
    """A generator: the client reads it as a stream, a batch at a time, while this runs on a member."""
    import os
    for i in range(n):
        yield {"sensor": i % 4, "value": (i * 37) % 101 / 10, "member": os.getpid()}


async def quotes(symbols):
    """An async function: it awaits Java ('quote', a CompletableFuture completed 200 ms later on another
    thread) for every symbol at once, and its context serves other calls while it waits."""
    import asyncio
    import time
    t0 = time.monotonic()
    prices = await asyncio.gather(*(hzpy.call_async("quote", s) for s in symbols))
    return {"prices": dict(zip(symbols, prices)), "seconds": round(time.monotonic() - t0, 3)}
