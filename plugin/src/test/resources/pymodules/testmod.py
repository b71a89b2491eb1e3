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


_released = set()


def spin_until_released_then_mark(key):
    """Busy-loops until release(key) ran in this context, then records that it finished: a
    timed-out call must never get that far, however long the test takes to release it."""
    while key not in _released:
        pass
    finished[key] = True
    return key


def release(key):
    _released.add(key)


_inside = {}
_most_inside = {}


def overlap_probe(run, enough, seconds):
    """Counts the threads inside this context at once for one run: waits (at most `seconds`) until
    `enough` are in, then lingers a little so that any thread the limit should hold back gets in."""
    _inside[run] = _inside.get(run, 0) + 1
    _most_inside[run] = max(_most_inside.get(run, 0), _inside[run])
    waited = 0.0
    while _inside[run] < enough and waited < seconds:
        time.sleep(0.01)
        waited += 0.01
        _most_inside[run] = max(_most_inside[run], _inside[run])
    time.sleep(0.3)
    _most_inside[run] = max(_most_inside[run], _inside[run])
    _inside[run] -= 1
    return _most_inside[run]


def most_inside(run):
    return _most_inside.get(run, 0)


def announce_then_sleep(key, seconds, value):
    """Prints 'inside KEY' (tests wait for it in the member log), then sleeps."""
    print("inside " + key, flush=True)
    time.sleep(seconds)
    return value


def hot_loop(n):
    """A loop hot enough for the Graal JIT to compile."""
    total = 0
    for i in range(n):
        total += i % 7
    return total


def interval(seconds):
    """Sleeps, and says when it ran (monotonic clock, the same for every context of the JVM)."""
    t0 = time.monotonic()
    time.sleep(seconds)
    return [t0, time.monotonic()]


def busy_interval(n):
    """CPU-bound work, and when it ran (monotonic clock, shared by every context of the JVM)."""
    t0 = time.monotonic()
    hot_loop(n)
    return [t0, time.monotonic()]
