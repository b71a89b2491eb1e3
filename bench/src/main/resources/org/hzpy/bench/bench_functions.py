# The Python functions of the hzpy benchmarks (P3, P4). The same source runs in GraalPy through
# hzpy (py.exec(source), then py.call("__main__", name, arg)) and in CPython (cpython_runner.py),
# so both sides time exactly the same code. Every function returns a small int: the benchmark
# measures Python work, not the conversion of a big result.
import json

# (function name, argument) for P4, in the order the tables list them.
CASES = [
    ["fib", 27],
    ["sum_squares", 2000000],
    ["string_build", 200000],
    ["dict_work", 100000],
    ["json_roundtrip", 2000],
]


def fib(n):
    """Recursive Fibonacci: calls and small-int arithmetic. P3 uses fib(30) as its CPU-bound call."""
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def sum_squares(n):
    """A numeric loop (the sum stays within 64 bits for n up to 3 million)."""
    total = 0
    for i in range(n):
        total += i * i
    return total % 1000000007


def string_build(n):
    """str() of many ints joined into one string."""
    return len("".join([str(i) for i in range(n)]))


def dict_work(n):
    """Build a dict of n string keys, update half of them, look every key up."""
    d = {}
    for i in range(n):
        d["k" + str(i)] = i
    for i in range(0, n, 2):
        d["k" + str(i)] += 1
    total = 0
    for i in range(n):
        total += d.get("k" + str(i), 0)
    return total


def json_roundtrip(n):
    """json.dumps and json.loads of a nested structure of n records."""
    records = [
        {"id": i, "name": "item-" + str(i), "price": i * 0.25, "tags": ["a", "b", str(i % 7)],
         "dims": {"w": i % 13, "h": i % 17, "ok": i % 2 == 0}}
        for i in range(n)
    ]
    text = json.dumps({"records": records, "count": n})
    back = json.loads(text)
    return len(text) + len(back["records"])
