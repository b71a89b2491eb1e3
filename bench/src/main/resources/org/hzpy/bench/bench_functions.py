# The Python functions of the hzpy benchmarks (P3, P4). The same source runs in GraalPy through
# hzpy (py.exec(source), then py.call("__main__", name, arg)) and in CPython (cpython_runner.py),
# so both sides time exactly the same code. Every function returns a small int: the benchmark
# measures Python work, not the conversion of a big result.
import json
import re

# (function name, argument) for P4, in the order the tables list them.
CASES = [
    ["fib", 27],
    ["sum_squares", 2000000],
    ["string_build", 200000],
    ["dict_work", 100000],
    ["json_roundtrip", 2000],
    ["regex_log_scan", 20000],
    ["class_shapes", 100000],
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


_LOG_LINE = re.compile(r"^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) (INFO|WARN|ERROR) \[([\w.-]+)\] (.*)$")
_IP = re.compile(r"\b(?:\d{1,3}\.){3}\d{1,3}\b")


def regex_log_scan(n):
    """Parse n log lines with a grouped regex, count levels, find IPs, redact digits with re.sub."""
    levels = ("INFO", "WARN", "ERROR")
    lines = ["2026-11-%02d 12:%02d:%02d %s [svc-%d.worker] request from 10.0.%d.%d took %d ms"
             % (i % 28 + 1, i % 60, i % 59, levels[i % 3], i % 5, i % 256, i % 200, i % 1000)
             for i in range(n)]
    counts = {}
    ips = 0
    redacted = 0
    for line in lines:
        m = _LOG_LINE.match(line)
        if m:
            counts[m.group(3)] = counts.get(m.group(3), 0) + 1
            ips += len(_IP.findall(m.group(5)))
            redacted += len(re.sub(r"\d+", "#", m.group(5)))
    return counts["ERROR"] + ips + redacted


class _Shape:
    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def area(self):
        raise NotImplementedError

    def scaled(self, k):
        raise NotImplementedError


class _Rect(_Shape):
    __slots__ = ("w", "h")

    def __init__(self, w, h):
        super().__init__("rect")
        self.w = w
        self.h = h

    def area(self):
        return self.w * self.h

    def scaled(self, k):
        return _Rect(self.w * k, self.h * k)

    def __eq__(self, other):
        return isinstance(other, _Rect) and self.w == other.w and self.h == other.h

    def __hash__(self):
        return hash((self.w, self.h))


class _Circle(_Shape):
    __slots__ = ("r",)

    def __init__(self, r):
        super().__init__("circle")
        self.r = r

    def area(self):
        return 3 * self.r * self.r

    def scaled(self, k):
        return _Circle(self.r * k)

    @property
    def diameter(self):
        return 2 * self.r


def class_shapes(n):
    """Objects of a small class hierarchy: construction, virtual calls, a property, __eq__/__hash__ in a set."""
    shapes = [_Rect(i % 10 + 1, i % 7 + 1) if i % 2 else _Circle(i % 9 + 1) for i in range(n)]
    total = 0
    distinct = set()
    for s in shapes:
        t = s.scaled(2)
        total += t.area()
        if isinstance(t, _Circle):
            total += t.diameter
        else:
            distinct.add(t)
    return total % 1000000007 + len(distinct)
