# The start-up warm-up: the call path and the conversions' helpers, and the slow first imports.
from .calls import invoke
from .conversions import flat_items, make_dict


def warm_up(rounds):
    """Exercise the call path and the converters' helpers, so first calls are not cold. Cheap."""
    total = 0
    for i in range(rounds):
        d = {"k": i, "s": str(i), "l": [i, i + 1]}
        total += len(flat_items(d)) + len(invoke("_hzpy_internal", "type_name", i))
        total += len(make_dict("a", i, "b", [i]))
    return total


def gc_counts():
    import gc
    return list(gc.get_count())


def warm_imports():
    """The slow part of the warm-up (seconds in a fresh context): modules a first error or call needs."""
    import json
    import traceback  # describe() formats every error with it
    from . import aio
    aio.loop()  # imports asyncio (seconds in a fresh context): a first coroutine call then pays nothing for it
    return len(traceback.format_exception(ValueError, ValueError("warm"), None)) + len(json.dumps([1]))
