# Streams (Py.stream): a function's generator, async generator or iterable, kept here under an id
# while Java pulls it a batch at a time (org.hzpy.runtime.Streams). One registry per context: a
# stream's items come from the context it started in, and only Java holds its id.
from .calls import invoke, invoke_kw

_open = {}
_last_id = 0


class _Stream:
    __slots__ = ("next", "close", "error", "is_async")

    def __init__(self, pull, close, is_async=False):
        self.next = pull  # an async generator's: a coroutine function (its __anext__)
        self.close = close
        self.error = None  # raised by the pull after the one that delivered the items before it
        self.is_async = is_async


def _run_sync(coro):
    """Drives a coroutine without an event loop: how an async generator is closed (aclose: its
    finally runs now, in the close's frame); a finally that awaits what suspends cannot run this way."""
    try:
        while True:
            awaited = coro.send(None)
            if awaited is not None:
                coro.close()
                raise RuntimeError("a stream's async generator awaited %r while it was being closed: its "
                                   "finally may await only what does not suspend" % (awaited,))
    except StopIteration as e:
        return e.value


def _stream_of(result, module, function):
    if hasattr(type(result), "__anext__"):
        aclose = getattr(result, "aclose", None)
        return _Stream(result.__anext__, None if aclose is None else (lambda: _run_sync(aclose())), True)
    try:
        it = iter(result)
    except TypeError:
        raise TypeError("%s.%s() returned %s, which is not iterable: a stream needs a generator, an async "
                        "generator or an iterable" % (module, function, type(result).__name__)) from None
    return _Stream(it.__next__, getattr(it, "close", None))


def open_(module, function, kwargs, *args):
    """Calls module.function(*args, **kwargs) and keeps what it returns as a stream; returns its id."""
    global _last_id
    result = invoke(module, function, *args) if kwargs is None else invoke_kw(module, function, kwargs, *args)
    stream = _stream_of(result, module, function)
    _last_id += 1
    _open[_last_id] = stream
    return _last_id


def next_batch(stream_id, n):
    """[items, done]: up to n items. An error after some items is kept and raised by the next pull
    (with its own traceback); a stream that ends, by exhaustion or by an error, leaves the registry."""
    stream = _open.get(stream_id)
    if stream is None:
        raise LookupError("stream %d is not open in this context" % stream_id)
    if stream.error is not None:
        del _open[stream_id]
        error, stream.error = stream.error, None
        raise error
    if stream.is_async:
        return _async_batch(stream_id, stream, n)  # Java runs it on this context's event loop
    items = []
    append = items.append
    pull = stream.next
    try:
        for _ in range(n):
            append(pull())
    except StopIteration:
        del _open[stream_id]
        return [items, True]
    except Exception as e:
        if not items:
            del _open[stream_id]
            raise
        stream.error = e
    except BaseException:
        del _open[stream_id]
        raise
    return [items, False]


async def _async_batch(stream_id, stream, n):
    """next_batch for an async generator: a Task on the context's event loop, which frees the context
    while the generator awaits; same answers and errors as next_batch."""
    items = []
    try:
        for _ in range(n):
            items.append(await stream.next())
    except StopAsyncIteration:
        _open.pop(stream_id, None)
        return [items, True]
    except Exception as e:
        if not items:
            _open.pop(stream_id, None)
            raise
        stream.error = e
    except BaseException:
        _open.pop(stream_id, None)
        raise
    return [items, False]


def close(stream_id):
    """Closes a stream's generator (its finally runs) once: a stream no longer open is left alone."""
    stream = _open.pop(stream_id, None)
    if stream is not None and stream.close is not None:
        stream.close()


def open_count():
    return len(_open)


def _is_iterator(x):
    # generators and other iterators (what a handler that yields gives), not lists, strs or dicts
    return hasattr(type(x), "__next__")


def flat_map_batch(module, function, items):
    """A Jet flat-map stage's batch: the handler may return a list per item, or yield them (be a
    generator, or give a generator per item); the iterators are run to their end here, in order."""
    results = invoke(module, function, items)
    if _is_iterator(results):
        results = list(results)
    if type(results) is list:
        for i, r in enumerate(results):
            if _is_iterator(r):
                results[i] = list(r)
    return results
