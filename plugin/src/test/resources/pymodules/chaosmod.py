"""Functions the chaos suite (ChaosTest) calls on its three member JVMs."""
import sys
import time


def wall_interval(seconds):
    """Sleeps, and says when it ran by the wall clock, which every JVM on the machine shares
    (time.monotonic is per process): [start, end] in seconds since the epoch."""
    t0 = time.time()
    time.sleep(seconds)
    return [t0, time.time()]


def missing(names):
    """The names among `names` that __main__ of this context does not define (exec-defined functions)."""
    main = sys.modules["__main__"]
    return [n for n in names if not callable(getattr(main, n, None))]


def jet_double(items):
    """The Python stage of the chaos suite's Jet job."""
    return [x * 2 for x in items]
