"""Functions for the runtime-hardening tests (replay, cancellation, shutdown, error description)."""
import time

started = {}
finished = {}


def mark_and_spin(key):
    """Says that it started, then loops until interrupted; 'finished' is never reached."""
    started[key] = True
    print("started " + key, flush=True)
    while True:
        pass
    finished[key] = True


def was_started(key):
    return started.get(key, False)


def was_finished(key):
    return finished.get(key, False)


def sleep_then(seconds, value):
    time.sleep(seconds)
    return value


def huge_power(exponent):
    """One long builtin operation (a big-int power) that Python's interrupt cannot stop until it
    returns: 3 ** 40_000_000 takes about 5 s here. (sum() over an iterator is only sometimes deaf
    to interrupts: once the call to next() goes through a call target, the interrupt lands.)"""
    return (3 ** exponent) & 1


class EndlessStr(Exception):
    def __str__(self):
        while True:
            pass


def raise_endless_str():
    raise EndlessStr()


def echo(x):
    return x


def memory_bomb():
    """Keeps every megabyte it allocates until something stops it."""
    hoard = []
    while True:
        hoard.append(bytearray(10 ** 6))


# Runaway code (RunawayCodeTest): each of these must be stopped by the call's timeout.

def spin_forever():
    while True:
        pass


def loop_in_finally():
    """Loops on in its `finally` when the interrupt unwinds the first loop."""
    try:
        while True:
            pass
    finally:
        while True:
            pass


def swallow_interrupts():
    """Catches everything it can and carries on looping."""
    while True:
        try:
            while True:
                pass
        except BaseException:
            pass


def sleep_forever():
    time.sleep(10 ** 6)


def recurse_forever(n=0):
    return recurse_forever(n + 1)


def recurse_past_the_stack():
    """Lifts Python's recursion limit, so only the Java stack can stop the recursion."""
    import sys
    before = sys.getrecursionlimit()
    sys.setrecursionlimit(10 ** 8)
    try:
        return recurse_forever()
    finally:
        sys.setrecursionlimit(before)


def read_stdin_line():
    return input()


def read_all_stdin():
    import sys
    return sys.stdin.read()


def wait_on_itself():
    """Takes a lock twice on one thread: waits forever for itself."""
    import threading
    lock = threading.Lock()
    lock.acquire()
    lock.acquire()




def mark_wait_and_finish(key, seconds):
    """Says that it started, waits, then records that it finished (RemoteCancellationTest)."""
    started[key] = True
    print("started " + key, flush=True)
    time.sleep(seconds)
    finished[key] = True
    return key
