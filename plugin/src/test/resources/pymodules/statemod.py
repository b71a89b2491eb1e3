# Shared-state helpers for StateTest: Python's side of the state (module hzpy).
import hzpy


def bump(key, n):
    for _ in range(n):
        hzpy.state_incr(key)
    return n


def put(key, value):
    hzpy.state_set(key, value)


def get(key, default=None):
    return hzpy.state_get(key, default)


def get_kind(key):
    v = hzpy.state_get(key)
    return [type(v).__name__, v]


def incr_error(key):
    try:
        hzpy.state_incr(key)
    except TypeError as e:
        return "TypeError: " + str(e)
    return "no error"


def delete(key):
    return hzpy.state_delete(key)


def keys_with(prefix):
    return [k for k in hzpy.state_keys() if k.startswith(prefix)]


def roundtrip_in_python(key, value):
    hzpy.state_set(key, value)
    back = hzpy.state_get(key)
    return back == value and type(back) is type(value)
