"""Generators for the stream tests (RemoteStreamTest): each records, under a key, how far
it got and how often its finally ran, in its context's globals (the test members have one context)."""

_produced = {}
_finally_runs = {}


def numbers(key, n=None):
    """0, 1, 2, ... (n of them, or without end); produced(key) says how many were yielded."""
    i = 0
    try:
        while n is None or i < n:
            _produced[key] = i + 1
            yield i
            i += 1
    finally:
        _finally_runs[key] = _finally_runs.get(key, 0) + 1


def names(n):
    """The name of the member that runs it (its own whoami.py), n times."""
    import whoami
    for _ in range(n):
        yield whoami.name()


def produced(key):
    return _produced.get(key, 0)


def finally_runs(key):
    return _finally_runs.get(key, 0)


def fails_after(n):
    """0 .. n-1, then a ValueError."""
    yield from range(n)
    raise ValueError("no more after %d" % n)
