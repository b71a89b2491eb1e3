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


def time_per_item(function, strings):
    """For P5's report, not a handler: the median ns per item of `function` alone on a list of 1,024
    items (the workload's first ones), warm, timed in Python: what the handler costs in any stage."""
    handler = globals()[function]
    items = ["s%d" % i for i in range(1024)] if strings else list(range(1024))
    for _ in range(3000):
        handler(items)
    return time_on_batches(function, [items] * (7 * 300), 7)


def time_on_batches(function, batches, samples):
    """The median ns per item of `function` over `samples` equal groups of `batches`, called once
    on each batch. P5 passes batches that came from Java, each used once (the first touch of each item,
    as in a job: a str from Java has its code range still to be worked out, a str made in Python has
    it, and upper() costs more on the former); time_per_item passes one list made in Python, again and again."""
    import time
    handler = globals()[function]
    per = len(batches) // samples
    times = []
    for k in range(samples):
        group = batches[k * per:(k + 1) * per]
        start = time.perf_counter_ns()
        for items in group:
            handler(items)
        times.append((time.perf_counter_ns() - start) / per / len(group[0]))
    return sorted(times)[samples // 2]
