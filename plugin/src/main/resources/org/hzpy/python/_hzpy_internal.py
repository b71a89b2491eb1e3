# The Java side of hzpy calls these helpers; they are not part of the public `hzpy` module.
# Loaded once into every context as the module `_hzpy_internal`. It imports nothing heavy at
# load time (importing `traceback` alone costs seconds in a fresh context): a context is ready
# sooner, and the warm-up imports the rest in the background.
import sys

_main = sys.modules["__main__"]
_modules = sys.modules

NONE = None


# Modules whose import has completed. Not sys.modules: there a module appears while another
# thread is still importing it, and only the import machinery waits for that to finish.
_imported = {}


def _module(name):
    m = _imported.get(name)
    if m is None:
        __import__(name)
        m = _modules[name]
        _imported[name] = m
    return m


def invoke(module, function, *args):
    """One crossing from Java per call: resolve module.function afresh and call it."""
    return getattr(_module(module), function)(*args)


def invoke_kw(module, function, kwargs, *args):
    return getattr(_module(module), function)(*args, **kwargs)


_code_cache = {}


def _compiled(source, mode):
    key = (source, mode)
    code = _code_cache.get(key)
    if code is None:
        code = compile(source, "<hzpy " + mode + ">", mode)
        if len(_code_cache) >= 256:
            _code_cache.clear()
        _code_cache[key] = code
    return code


def eval_(expression, local_vars):
    code = _compiled(expression, "eval")
    if local_vars is None:
        return eval(code, _main.__dict__)
    return eval(code, _main.__dict__, local_vars)


def exec_(source):
    exec(compile(source, "<hzpy exec>", "exec"), _main.__dict__)


def check_syntax(source):
    compile(source, "<hzpy exec>", "exec")


def type_name(x):
    t = type(x)
    if t.__module__ == "builtins":
        return t.__qualname__
    return t.__module__ + "." + t.__qualname__


def describe(exc):
    """(type, message, traceback) of an exception, for PythonException."""
    try:
        message = str(exc)
    except BaseException:
        message = "<str() of the exception failed>"
    import traceback
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    return (type_name(exc), message, tb)


# Kinds for values the fast interop checks cannot classify on their own.
def container_kind(x):
    if isinstance(x, (list, tuple)):
        return "list"
    if isinstance(x, dict):
        return "dict"
    if isinstance(x, (set, frozenset)):
        return "set"
    if isinstance(x, (bytes, bytearray)):
        return "bytes"
    return None


def flat_items(d):
    out = []
    for k, v in d.items():
        out.append(k)
        out.append(v)
    return out


def as_list(x):
    return list(x)


def bytes_as_latin1(b):
    return bytes(b).decode("latin-1")


# Java -> Python builders
def make_list(*items):
    return list(items)


def make_set(*items):
    return set(items)


def make_dict(*flat):
    it = iter(flat)
    return dict(zip(it, it))


def make_int(decimal):
    return int(decimal)


def make_bytes(latin1):
    return latin1.encode("latin-1")


def warm_up(rounds):
    """Exercise the call path and the converters' helpers, so first calls are not cold. Cheap."""
    total = 0
    for i in range(rounds):
        d = {"k": i, "s": str(i), "l": [i, i + 1]}
        total += len(flat_items(d)) + len(invoke("_hzpy_internal", "type_name", i))
        total += len(make_dict("a", i, "b", [i]))
    return total


def warm_imports():
    """The slow part of the warm-up (seconds in a fresh context): modules a first error or call needs."""
    import json
    import traceback  # describe() formats every error with it
    return len(traceback.format_exception(ValueError, ValueError("warm"), None)) + len(json.dumps([1]))
