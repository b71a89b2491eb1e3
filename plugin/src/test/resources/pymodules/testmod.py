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
    # Lets the GIL go, so a second thread in this context would run now. Not sleep(0): on
    # GraalPy 25.0.3 time.sleep(0) sleeps about a second; tiny sleeps round up to ~1-2 ms.
    time.sleep(0.00001)
    result = x * x
    _active -= 1
    return result


def overlaps():
    return _overlaps


_calls = 0


def counted_square(x):
    global _calls
    _calls += 1
    return exclusive_square(x)


def calls():
    return _calls


finished = {}


def busy_then_mark(key, seconds):
    """Busy-loops, then records that it finished: a timed-out call must never get that far."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    finished[key] = True
    return key


def was_finished(key):
    return finished.get(key, False)


_in_shared = 0
_max_in_shared = 0


def overlap_probe(seconds):
    """Records how many threads were inside this context at once."""
    global _in_shared, _max_in_shared
    _in_shared += 1
    _max_in_shared = max(_max_in_shared, _in_shared)
    time.sleep(seconds)
    _in_shared -= 1
    return _max_in_shared


def max_overlap():
    return _max_in_shared
