"""P5's handlers. Both systems get this file attached to each job and call a function of it with a
list of items; it returns a list of the same length."""


def upper(items):
    return [s.upper() for s in items]


def times_three_plus_one(items):
    """hzpy: ints in, ints out."""
    return [x * 3 + 1 for x in items]


def times_three_plus_one_str(items):
    """hazelcast-jet-python passes and takes strings only."""
    return [str(int(x) * 3 + 1) for x in items]
