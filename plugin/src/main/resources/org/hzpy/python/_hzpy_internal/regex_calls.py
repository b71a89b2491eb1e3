# GraalPy 25.0.3's _sre marks Pattern's methods force_split_direct_calls: each call site gets a copy
# of its own. The copies of the methods with a match loop (findall, finditer, subn, which sub calls,
# and split) run interpreted, enter OSR for the loop on every call and leave it through a
# deoptimization (measured: findall 20-80 µs a call where CPython takes ~1 µs; search, which has no
# loop, 0.3 µs). The same function without the mark is compiled once, like any other, and runs as
# fast as CPython or faster (a probe of 3 calls: 17-100 µs warm instead of 415-530, CPython 30).
# So once _sre has loaded, each of those methods is replaced by a copy of itself (the same code,
# globals, defaults and closure: the same behaviour) that carries no mark.
import types

_LOOPING = ("findall", "finditer", "subn", "split")


def adjust(sre):
    """Unmarks Pattern's looping methods (runs once _sre has loaded; changes nothing where they are not plain functions)."""
    pattern = getattr(sre, "Pattern", None)
    if not isinstance(pattern, type):
        return
    for name in _LOOPING:
        f = pattern.__dict__.get(name)
        if not isinstance(f, types.FunctionType):
            continue
        g = types.FunctionType(f.__code__, f.__globals__, f.__name__, f.__defaults__, f.__closure__)
        g.__kwdefaults__ = f.__kwdefaults__
        g.__qualname__ = f.__qualname__
        g.__doc__ = f.__doc__
        g.__module__ = f.__module__
        try:
            setattr(pattern, name, g)
        except (AttributeError, TypeError):  # a GraalPy whose Pattern is immutable: left as it is
            return
