# The warm-up of the modules people use (hzpy.warmup-modules). After the start-up warm-up, in idle
# moments only (BackgroundWork), each listed module is imported and its common functions are run in
# a loop for a bounded time, so that their Python code, and GraalPy's own code behind it, is
# compiled before a user's first call needs it: otherwise that call runs them interpreted while
# the JIT catches up (a first json round trip or regex scan took seconds). A module without an
# exercise here is only imported. "builtins" exercises the interpreter itself: calls, loops,
# arithmetic, strings, dicts, classes.
import time

_SECONDS_PER_MODULE = 0.75  # context time each module is exercised for, at most (_SECONDS_FOR: more)
_SECONDS_FOR = {"builtins": 2.0, "json": 1.5, "re": 1.5}
_pending = []  # module names still to warm up, in order
_spent = {}  # name -> seconds exercised so far
_problems = []  # "name: error" for modules that failed to import or to run


def configure(names):
    """The modules to warm up (hzpy.warmup-modules), in order. Called once, before the first slice."""
    _pending[:] = list(names)


def done():
    return not _pending


def exercise(seconds):
    """Warms up for about `seconds`; None while modules remain, else the problems met (a list of str)."""
    clock = time.perf_counter
    start = clock()
    while _pending and clock() - start < seconds:
        name = _pending[0]
        try:
            run = _exercise_of(name)
            if run is None:  # nothing to exercise: the import was the warm-up
                _pending.pop(0)
                continue
            budget = _SECONDS_FOR.get(name, _SECONDS_PER_MODULE)
            spent = _spent.get(name, 0.0)
            i = int(spent * 1000)
            t0 = clock()
            while clock() - start < seconds and spent + (clock() - t0) < budget:
                run(i)
                i += 1
            spent += clock() - t0
            _spent[name] = spent
            if spent >= budget:
                _pending.pop(0)
        except Exception as e:  # a module that cannot be imported or exercised here: skipped, reported once
            _problems.append("%s: %s: %s" % (name, type(e).__name__, e))
            _pending.pop(0)
    return None if _pending else list(_problems)


def _exercise_of(name):
    import importlib
    importlib.import_module(name)
    return _EXERCISES.get(name)


# ---------------------------------------------------------------------------------------- exercises
# Each takes a round number (so the data varies a little) and does a few milliseconds of work at most.

# Classes and functions are made once (the first round) and reused: new ones every round would be
# new code and new object shapes each time, filling the compiler's queue with one-off work.
_made = {}


def _once(key, make):
    v = _made.get(key)
    if v is None:
        v = _made[key] = make()
    return v


def _b_fib(n):
    return n if n < 2 else _b_fib(n - 1) + _b_fib(n - 2)


class _BPoint:
    __slots__ = ("x", "y")

    def __init__(self, x, y):
        self.x = x
        self.y = y

    def norm(self):
        return self.x * self.x + self.y * self.y


class _BNamed:
    def __init__(self, name):
        self.name = name

    @property
    def upper(self):
        return self.name.upper()

    def __eq__(self, other):
        return isinstance(other, _BNamed) and self.name == other.name

    def __hash__(self):
        return hash(self.name)


def _builtins(i):
    total = _b_fib(10 + i % 3)
    d = {}
    for k in range(200):
        d["k" + str(k)] = k
        d[k] = d.get(k, 0) + 1
    total += sum(v for v in d.values() if isinstance(v, int))
    words = ("alpha beta gamma %d delta" % i).split()
    s = "-".join(w.capitalize() for w in words) + f"{i:05d}{i * 0.5:.2f}"
    total += len(s.replace("-", " ").strip().lower()) + s.count("a") + (1 if s.startswith("Al") else 0)
    pts = [_BPoint(k, k + 1) for k in range(100)]
    total += sum(p.norm() for p in pts) % 97
    names = {_BNamed(str(k % 10)) for k in range(50)}
    total += len(names) + len([n.upper for n in names])
    lst = sorted([(k * 7) % 31 for k in range(100)], reverse=True)
    total += lst[0] + max(lst) - min(lst) + len(set(lst)) + len(tuple(enumerate(zip(lst, lst[1:]))))
    try:
        raise ValueError(i)
    except ValueError as e:
        total += len(str(e))
    x = 1.5
    for k in range(100):
        x = x * 1.01 + k / 3 - (k // 2) % 5
    return total + int(x) + (10 ** 20 + i) % 7


def _json(i):
    import json
    doc = {"id": i, "name": "item-\u00e9\"%d" % i, "price": i * 0.25, "tags": ["a", str(i % 7)], "none": None,
           "ok": i % 2 == 0, "dims": {"w": i % 13, "h": [1.5, -2, 3e10]}}
    text = json.dumps([doc, doc, {"n": list(range(20))}])
    back = json.loads(text)
    pretty = json.dumps(back, indent=2, sort_keys=True)
    return len(text) + len(pretty) + len(json.loads(pretty))


_LOG = None


def _re(i):
    import re
    global _LOG
    if _LOG is None:
        _LOG = re.compile(r"^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) (INFO|WARN|ERROR) \[([\w.-]+)\] (.*)$")
    line = "2026-11-%02d 12:00:%02d WARN [svc-%d.x] from 10.0.%d.7 took %d ms, user=bob@example.com" % (
        i % 28 + 1, i % 60, i % 5, i % 256, i)
    total = 0
    m = _LOG.match(line)
    if m:
        total += len(m.group(5)) + len(m.groups()) + m.start(3)
    total += len(re.findall(r"\d+", line)) + len(re.split(r"[\s,]+", line))
    total += len(re.sub(r"\d", "#", line)) + len(re.sub(r"(\w+)@(\w+)", lambda g: g.group(2), line))
    total += 1 if re.search(r"\b(?:\d{1,3}\.){3}\d{1,3}\b", line) else 0
    total += 1 if re.fullmatch(r"[a-z]+", "abc") else 0
    total += len([g.group(0) for g in re.finditer(r"[A-Z]+", line)])
    total += len(re.escape(line)) + (1 if re.match(r"(?i)^\d{4}", line) else 0)
    return total


def _datetime(i):
    import datetime as dt
    d = dt.datetime(2026, 1 + i % 12, 1 + i % 28, i % 24, i % 60, tzinfo=dt.timezone.utc)
    later = d + dt.timedelta(days=i % 40, seconds=i)
    text = later.isoformat()
    back = dt.datetime.fromisoformat(text)
    parsed = dt.datetime.strptime("2026-03-%02d 10:20" % (1 + i % 28), "%Y-%m-%d %H:%M")
    return (len(text) + (back - d).days + parsed.day + len(later.strftime("%Y-%m-%d %H:%M:%S %a"))
            + dt.date(2026, 2, 1 + i % 28).weekday() + int((later - d).total_seconds()) % 7)


def _collections(i):
    import collections
    c = collections.Counter("the quick brown fox %d jumps" % i)
    dd = collections.defaultdict(list)
    for k in range(50):
        dd[k % 7].append(k)
    q = collections.deque(range(20), maxlen=15)
    q.appendleft(i)
    q.rotate(3)
    od = collections.OrderedDict((str(k), k) for k in range(10))
    od.move_to_end("3")
    P = _once("namedtuple", lambda: collections.namedtuple("P", "x y"))
    p = P(i, 2)._replace(y=3)
    return len(c.most_common(3)) + len(dd) + q[0] + len(od) + p.x + p.y + sum(collections.ChainMap({1: 2}, {3: 4}))


def _dataclasses(i):
    import dataclasses

    def make():
        @dataclasses.dataclass
        class Item:
            name: str
            qty: int = 1
            tags: list = dataclasses.field(default_factory=list)

        @dataclasses.dataclass(frozen=True, order=True)
        class Key:
            a: int
            b: str = ""
        return Item, Key

    Item, Key = _once("dataclasses", make)
    a = Item("x%d" % i, i)
    b = dataclasses.replace(a, qty=2)
    keys = sorted({Key(k % 5, str(k)) for k in range(10)})
    return (len(dataclasses.asdict(b)) + len(dataclasses.astuple(a)) + len(dataclasses.fields(a)) + (1 if a == b else 0)
            + len(repr(a)) + len(keys) + (1 if dataclasses.is_dataclass(a) else 0))


def _typing(i):
    import typing

    def make():
        class Row(typing.NamedTuple):
            a: int
            b: typing.Optional[str] = None

        def f(x: typing.List[int], y: typing.Dict[str, typing.Any]) -> typing.Union[int, None]:
            return None
        return Row, f

    Row, f = _once("typing", make)
    T = typing.TypeVar("T")
    return (len(typing.get_type_hints(f)) + len(Row(i)) + len(str(typing.Callable[[int], str]))
            + len(str(typing.List[T])) + (1 if typing.get_origin(typing.List[int]) is list else 0)
            + len(typing.get_args(typing.Dict[str, int])) + (1 if isinstance([], typing.Sequence) else 0))


def _decimal(i):
    from decimal import Decimal, ROUND_HALF_UP, localcontext
    a = Decimal("19.99") * (i % 9 + 1)
    b = (a * Decimal("1.19")).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    with localcontext() as ctx:
        ctx.prec = 10
        c = Decimal(1) / Decimal(7)
    return int(b) + len(str(c)) + (1 if a < b else 0) + int(sum(Decimal(k) / 4 for k in range(10)))


def _itertools(i):
    import itertools
    data = [(k % 5, k) for k in range(60)]
    groups = {k: len(list(g)) for k, g in itertools.groupby(sorted(data), key=lambda t: t[0])}
    return (len(groups) + len(list(itertools.islice(itertools.count(i), 10))) + len(list(itertools.product("ab", repeat=3)))
            + len(list(itertools.permutations(range(4), 2))) + sum(itertools.accumulate(range(10)))
            + len(list(itertools.chain.from_iterable([[1, 2], [3]]))) + len(list(itertools.combinations(range(5), 2)))
            + len(list(itertools.zip_longest("abc", "de"))))


def _functools(i):
    import functools

    def make():
        @functools.lru_cache(maxsize=64)
        def sq(n):
            return n * n

        def deco(fn):
            @functools.wraps(fn)
            def wrapper(*args, **kwargs):
                return fn(*args, **kwargs)
            return wrapper

        return sq, deco(lambda a, b=1: a + b), functools.cmp_to_key(lambda a, b: (a > b) - (a < b))

    sq, add, key = _once("functools", make)
    p = functools.partial(add, b=i)
    return (functools.reduce(lambda a, b: a + b, [sq(k % 20) for k in range(40)]) + p(1)
            + len(sorted([3, 1, 2], key=key)))


def _math(i):
    import math
    x = (i % 100) / 7 + 0.1
    return int(math.sqrt(x) + math.log(x) + math.exp(x % 3) + math.sin(x) + math.floor(x) + math.isclose(x, x)
               + math.hypot(x, 2) + math.gcd(i + 12, 18) + math.fsum([0.1] * 10) + math.ceil(x) + math.pi)


def _statistics(i):
    import statistics
    data = [(k * 13 + i) % 17 + 0.5 for k in range(40)]
    return int(statistics.mean(data) + statistics.median(data) + statistics.pstdev(data) + statistics.mode([1, 1, 2]))


def _string(i):
    import string
    t = string.Template("$who likes $what")
    return len(t.substitute(who="a%d" % i, what="b")) + len(string.capwords("hello big world")) + len(
        "{0:>8}|{1:<6}|{2:^5}|{v:.3f}".format("a", i, "c", v=i / 3))


def _enum(i):
    import enum

    def make():
        class Color(enum.Enum):
            RED = 1
            GREEN = 2

        class Flags(enum.IntFlag):
            A = 1
            B = 2
        return Color, Flags

    Color, Flags = _once("enum", make)
    return Color(1 + i % 2).value + len(Color.RED.name) + int(Flags.A | Flags.B) + len(list(Color)) + (
        1 if Color["GREEN"] is Color.GREEN else 0)


def _copy(i):
    import copy
    doc = {"a": [1, 2, {"b": (i, "x")}], "c": {i, 2}}
    return len(copy.deepcopy(doc)) + len(copy.copy(doc["a"]))


def _random(i):
    import random
    r = random.Random(i)
    return int(r.random() * 10) + r.randint(1, 6) + len(r.sample(range(20), 5)) + len(r.choice(["ab", "c"])) + int(
        r.uniform(1, 2))


def _heapq(i):
    import heapq
    h = []
    for k in range(30):
        heapq.heappush(h, (k * 7 + i) % 23)
    return heapq.heappop(h) + len(heapq.nlargest(3, h)) + len(heapq.nsmallest(3, h))


def _bisect(i):
    import bisect
    data = list(range(0, 100, 3))
    bisect.insort(data, i % 100)
    return bisect.bisect_left(data, 50) + bisect.bisect_right(data, i % 100)


def _operator(i):
    import operator
    rows = [{"k": k % 5, "v": k} for k in range(20)]
    return len(sorted(rows, key=operator.itemgetter("k"))) + operator.add(i, 1) + len(
        list(map(operator.attrgetter("real"), [1, 2])))


def _textwrap(i):
    import textwrap
    text = "word%d " % i * 30
    return len(textwrap.wrap(text, 40)) + len(textwrap.dedent("   a\n   b")) + len(textwrap.shorten(text, 50))


def _base64(i):
    import base64
    data = ("payload-%d" % i).encode() * 5
    return len(base64.b64decode(base64.b64encode(data))) + len(base64.urlsafe_b64encode(data))


def _hashlib(i):
    import hashlib
    data = ("payload-%d" % i).encode()
    return len(hashlib.sha256(data).hexdigest()) + len(hashlib.md5(data).digest())


def _csv(i):
    import csv
    import io
    out = io.StringIO()
    w = csv.writer(out)
    for k in range(10):
        w.writerow([k, "name %d" % (i + k), 'quote "x"', k * 0.5])
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    dicts = list(csv.DictReader(io.StringIO("a,b\n1,2\n3,4\n")))
    return len(rows) + len(dicts)


def _fractions(i):
    from fractions import Fraction
    return int(sum(Fraction(1, k + 1) for k in range(10)) * (i % 3 + 1)) + Fraction("3/4").denominator


def _io(i):
    import io
    s = io.StringIO()
    for k in range(20):
        s.write("line %d\n" % k)
    b = io.BytesIO(b"abc" * (i % 10 + 1))
    return len(s.getvalue().splitlines()) + len(b.read())


def _struct(i):
    import struct
    packed = struct.pack("<iqd4s", i, i * 3, i / 2, b"abcd")
    return len(struct.unpack("<iqd4s", packed)) + struct.calcsize("<iqd")


_EXERCISES = {
    "builtins": _builtins, "json": _json, "re": _re, "datetime": _datetime, "collections": _collections,
    "dataclasses": _dataclasses, "typing": _typing, "decimal": _decimal, "itertools": _itertools,
    "functools": _functools, "math": _math, "statistics": _statistics, "string": _string, "enum": _enum,
    "copy": _copy, "random": _random, "heapq": _heapq, "bisect": _bisect, "operator": _operator,
    "textwrap": _textwrap, "base64": _base64, "hashlib": _hashlib, "csv": _csv, "fractions": _fractions,
    "io": _io, "struct": _struct,
}
