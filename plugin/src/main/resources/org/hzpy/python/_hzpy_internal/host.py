# The module `hzpy`: what Python may ask of the member (shared state, Java functions), through Java.
import sys
import types

from .imports import imported

# host(name, *args) runs a Java function and answers [True, result] or [False, type, message].
host = None


def host_error(type_name, message):
    """The exception a Java failure is raised as: the builtin exception it names, else RuntimeError."""
    import builtins
    t = getattr(builtins, type_name, None) if "." not in type_name else None
    if isinstance(t, type) and issubclass(t, Exception):
        return t(message)
    return RuntimeError(type_name + ": " + message)


def install_hzpy(bridge):
    """Creates the module `hzpy` over `bridge`, Java's host(name, *args)."""
    global host
    host = bridge

    def _call(name, *args):
        r = bridge(name, *args)
        if r[0]:
            return r[1]
        raise host_error(r[1], r[2])

    def _key(key):
        if type(key) is not str:
            raise TypeError("a state key must be a str, not " + type(key).__name__)
        return key

    def _delta(delta):
        if type(delta) is not int:
            raise TypeError("a state increment must be an int, not " + type(delta).__name__)
        return delta

    def state_set(key, value):
        """Stores value (None, bool, int, float, str, bytes, list, tuple, dict, set, nested) under key
        for every context of every member and for clients. Storing None removes the key."""
        _call("state_set", _key(key), value)

    def state_get(key, default=None):
        """The value stored under key, or default when there is none."""
        found, value = _call("state_get", _key(key))
        return value if found else default

    def state_incr(key, delta=1):
        """Adds delta to the integer under key (a missing key counts as 0), atomically across the
        cluster, and returns the new value. A key holding anything but an int is a TypeError."""
        return _call("state_incr", _key(key), _delta(delta))

    def state_decr(key, delta=1):
        """Subtracts delta, as state_incr adds it."""
        return _call("state_incr", _key(key), -_delta(delta))

    def state_delete(key):
        """Removes key; True if it was there."""
        return _call("state_delete", _key(key))

    def state_keys():
        """Every key in the shared state, sorted."""
        return _call("state_keys")

    def call(name, *args):
        """Calls the Java function registered under name on this member and returns its result."""
        if type(name) is not str:
            raise TypeError("a function name must be a str, not " + type(name).__name__)
        return _call("call", name, *args)

    def call_async(name, *args):
        """Calls the Java function registered under name on this member without waiting for it: an
        awaitable of its result (a CompletionStage's, when it returns one). Only in a coroutine that
        hzpy runs (an async def called through call/callAsync): `await hzpy.call_async(name, *args)`."""
        if type(name) is not str:
            raise TypeError("a function name must be a str, not " + type(name).__name__)
        from . import aio
        return aio.call_async(bridge, name, args)

    m = types.ModuleType("hzpy")
    m.__doc__ = "What Python may ask of the Hazelcast member it runs in: shared state and Java functions."
    for f in (state_set, state_get, state_incr, state_decr, state_delete, state_keys, call, call_async):
        f.__module__ = "hzpy"
        setattr(m, f.__name__, f)
    m.__all__ = [f.__name__ for f in (state_set, state_get, state_incr, state_decr, state_delete, state_keys, call, call_async)]
    sys.modules["hzpy"] = m
    imported["hzpy"] = m
