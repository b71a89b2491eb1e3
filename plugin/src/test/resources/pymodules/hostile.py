"""Bad and odd values for the bad-input matrix (BadInputTest). Imports nothing heavy at load."""
import sys


def ping():
    return "pong"


def echo(x):
    return x


def type_of(x):
    return type(x).__name__


def types_of(*args):
    return [type(a).__name__ for a in args]


def arity(a, b=2, *, c=3):
    return [a, b, c]


def positional_only(a, /, b):
    return [a, b]


def keywords(**kw):
    return kw


NOT_CALLABLE = 42


class Holder:
    @staticmethod
    def method():
        return "static"


# ------------------------------------------------------------------ imports that fail

_VIRTUAL_SOURCE = {
    "hostile_syntax": "x = 1\ndef broken(:\n    pass\n",
    "hostile_raises": "x = 1\nraise RuntimeError('hostile_raises fails at import')\n",
}


class _VirtualModules:
    """Serves the modules above to the real import machinery (import statement, __import__)."""

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        if name not in _VIRTUAL_SOURCE:
            return None
        from importlib.machinery import ModuleSpec
        return ModuleSpec(name, cls, origin="<virtual " + name + ".py>")

    @staticmethod
    def create_module(spec):
        return None

    @staticmethod
    def exec_module(module):
        spec = module.__spec__
        exec(compile(_VIRTUAL_SOURCE[spec.name], spec.origin, "exec"), module.__dict__)


if not any(f is _VirtualModules for f in sys.meta_path):
    sys.meta_path.append(_VirtualModules)


def is_imported(name):
    return name in sys.modules


# ------------------------------------------------------------------ values Java cannot hold

class Thing:
    pass


def thing():
    return Thing()


def function():
    return ping


def module():
    return sys


def klass():
    return Thing


def file_like():
    import io
    return io.StringIO("text")


def generator():
    return (i for i in range(3))


async def _coro():
    return 1


def coroutine():
    c = _coro()
    c.close()  # closed: no "never awaited" warning
    return c


def list_holding_a_thing():
    return [1, 2, Thing()]


def exception_instance():
    return ValueError("returned, not raised")


def complex_number():
    return 1 + 2j


def self_list():
    x = [1]
    x.append(x)
    return x


def self_dict():
    d = {"a": 1}
    d["self"] = d
    return d


def nested_list(depth):
    x = "leaf"
    for _ in range(depth):
        x = [x]
    return x


def depth_of(x):
    n = 0
    while isinstance(x, list):
        x = x[0]
        n += 1
    return n


def impostor(kind):
    """An object whose __class__ claims to be a list, dict, set or bytes (isinstance() believes it)."""
    claimed = {"list": list, "dict": dict, "set": set, "bytes": bytes}[kind]

    class Impostor:
        @property
        def __class__(self):
            return claimed

    Impostor.__qualname__ = "Impostor"
    return Impostor()


class EndlessItems(dict):
    def items(self):
        while True:
            pass


def dict_whose_items_never_return():
    return EndlessItems(a=1)


# ------------------------------------------------------------------ big values

def big_str(n):
    return "ab" * (n // 2)


def big_bytes(n):
    return bytes(range(256)) * (n // 256)


def is_big_str(s):
    """[len(s), whether s is exactly big_str(len(s))]"""
    return [len(s), s == big_str(len(s))]


def is_big_bytes(b):
    """[len(b), its type, whether b is exactly big_bytes(len(b))]"""
    return [len(b), type(b).__name__, b == big_bytes(len(b))]


# ------------------------------------------------------------------ failures

def recurse(n=0):
    return recurse(n + 1)


def exit_with(code):
    sys.exit(code)


def raise_system_exit(value):
    raise SystemExit(value)


def keyboard_interrupt():
    raise KeyboardInterrupt("stop it")


def os_exit(code):
    import os
    os._exit(code)


def posix_exit(code):
    import posix
    posix._exit(code)


class BadStr(Exception):
    def __str__(self):
        raise ValueError("no str for you")


class BadRepr(Exception):
    def __repr__(self):
        raise ValueError("no repr for you")


class StrNotAString(Exception):
    def __str__(self):
        return 42


class EndlessStr(Exception):
    def __str__(self):
        while True:
            pass


def raise_bad_str():
    raise BadStr("hidden")


def raise_bad_repr():
    raise BadRepr("repr fails, str works")


def raise_str_not_a_string():
    raise StrNotAString()


def raise_endless_str():
    raise EndlessStr()


def raise_non_exception():
    raise 42


def raise_base_exception():
    raise BaseException("bare base")


def raise_chained():
    try:
        {}["missing"]
    except KeyError as e:
        raise RuntimeError("outer") from e


def decode_invalid_utf8():
    return b"ok \xff\xfe".decode("utf-8")


def decode_surrogateescape():
    return b"ok \xff".decode("utf-8", "surrogateescape")


def lone_surrogate():
    return "a\ud800b"


def surrogate_pair_code_points():
    return "\ud83d\udc0d"


def code_points(s):
    return [ord(c) for c in s]


def raise_with_lone_surrogate():
    raise ValueError("bad \udc80 char")


def raise_sigint():
    import signal
    signal.raise_signal(signal.SIGINT)


def ignore_sigterm():
    import signal
    return signal.signal(signal.SIGTERM, signal.SIG_IGN)


def alarm_in(seconds):
    import signal
    return signal.alarm(seconds)


def nap(seconds):
    import time
    time.sleep(seconds)
    return "rested"


def größe(x):
    return x * 2


def float_text(x):
    return repr(x)


def int_hex(x):
    return hex(x)


def big_power(exponent):
    return 10 ** exponent


def odd_keys():
    return {1: "int", 2.5: "float", None: "none", (1, "a"): "tuple", frozenset({3}): "frozenset", True: "bool-is-1",
            b"k": "bytes"}


def huge_list_allocation():
    return [0] * (10 ** 12)



def raise_unnamed_module_error():
    """An exception class whose __module__ is None (some generated classes): CPython prints its bare name."""
    class Unnamed(Exception):
        pass
    Unnamed.__module__ = None
    raise Unnamed("no module")


def start_process():
    import multiprocessing
    p = multiprocessing.Process(target=print)
    p.start()
    p.join()
