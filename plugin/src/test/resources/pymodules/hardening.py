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
    """One long builtin operation (a big-int power) that Python's interrupt cannot stop until it returns."""
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
