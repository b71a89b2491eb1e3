# Handlers for JetTest: each gets a batch of items as a list and returns a list of the same length.


def double_all(items):
    return [x * 2 for x in items]


def describe_all(items):
    return [{"n": d["n"], "cube_big": d["n"] ** 30, "tags": sorted(d["tags"]), "raw": bytes([d["n"] % 256])}
            for d in items]


def fail_on_seven(items):
    for x in items:
        if x == 7:
            raise ValueError("item 7 is not welcome (a batch of %d)" % len(items))
    return items


def drop_one(items):
    return items[:-1]


def keep_even(items):
    return [x % 2 == 0 for x in items]


def repeat_by_rest(items):
    return [[x] * (x % 3) for x in items]


def keep_none(items):
    return [None if x % 2 else x for x in items]


def where_all(items):
    import hzpy
    member = hzpy.call("jet_member")
    return [member for _ in items]


def not_booleans(items):
    return [1 for _ in items]


def sleep_all(items):
    import time
    time.sleep(90)
    return items


def pause_all(items):
    import time
    time.sleep(0.02)
    return items
