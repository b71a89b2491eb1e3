"""Generators for the stream tests (StreamTest, StreamIdleTest, JetStreamTest): each keeps its
position and the times its finally ran in this module's globals, which are per context."""

position = {}
finals = {}


def count(tag, n):
    """0 .. n-1; position[tag] is how many it has yielded."""
    position[tag] = 0
    for i in range(n):
        position[tag] = i + 1
        yield i


def endless(tag):
    position[tag] = 0
    try:
        i = 0
        while True:
            position[tag] = i + 1
            yield i
            i += 1
    finally:
        finals[tag] = finals.get(tag, 0) + 1


def position_of(tag):
    return position.get(tag, 0)


def finals_of(tag):
    return finals.get(tag, 0)


def fail_after(n):
    for i in range(n):
        yield i
    raise ValueError("broke after %d items" % n)


def spin_after(n):
    for i in range(n):
        yield i
    while True:
        pass


def listing():
    return [1, None, "three"]


def not_iterable():
    return 42


async def async_count(n):
    for i in range(n):
        yield i


def _repeat(x):
    for _ in range(x % 3):
        yield x


def repeat_per_item(items):
    """A Jet flat-map handler that gives a generator per item."""
    return [_repeat(x) for x in items]


def repeat_yielding(items):
    """A Jet flat-map handler that is itself a generator: one generator per item."""
    for x in items:
        yield _repeat(x)


async def async_endless(tag):
    try:
        i = 0
        while True:
            yield i
            i += 1
    finally:
        finals[tag] = finals.get(tag, 0) + 1


async def async_ticks(n):
    """An async generator that really suspends between items (asyncio.sleep): it needs the event loop."""
    import asyncio
    for i in range(n):
        await asyncio.sleep(0.01)
        yield i
