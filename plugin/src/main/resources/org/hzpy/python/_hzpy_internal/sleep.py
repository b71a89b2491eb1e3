# time.sleep that a polyglot interrupt can stop.
import time

_SLEEP_SLICE = 0.05


def _install_sleep():
    """time.sleep in slices of at most 50 ms. GraalPy's own sleep does not wake for a polyglot
    interrupt (in a context without pre-warm, after its first), so a stopped call slept on; between
    slices the interrupt lands. sleep(0) returns at once (GraalPy's own slept about a second)."""
    real_sleep = time.sleep
    monotonic = time.monotonic

    def sleep(secs):
        try:
            total = float(secs)
        except (TypeError, ValueError):
            return real_sleep(secs)  # its own TypeError
        if total != total or total < 0 or isinstance(secs, (str, bytes)):
            return real_sleep(secs)  # its own ValueError / TypeError
        end = monotonic() + total
        while True:
            left = end - monotonic()
            if left <= 0:
                return None
            real_sleep(left if left < _SLEEP_SLICE else _SLEEP_SLICE)

    sleep.__doc__ = real_sleep.__doc__
    sleep.__module__ = "time"
    time.sleep = sleep


_install_sleep()
