"""Functions the tests call. Loaded from hzpy.module-path."""
import time


def echo(x):
    return x


def type_of(x):
    return type(x).__name__


def add(a, b=10, *, scale=1):
    return (a + b) * scale


def fail(message):
    raise ValueError(message)


def spin():
    while True:
        pass


def sleep_then(seconds, value):
    time.sleep(seconds)
    return value


class Opaque:
    pass


def opaque():
    return Opaque()


_active = 0
_overlaps = 0


def exclusive_square(x):
    """Counts how often two threads were inside this context at once (it must stay 0)."""
    global _active, _overlaps
    _active += 1
    if _active > 1:
        _overlaps += 1
    time.sleep(0)  # lets the GIL go: a second thread in this context would run now
    result = x * x
    _active -= 1
    return result


def overlaps():
    return _overlaps
