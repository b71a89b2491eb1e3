# Calls from Java into user code: by module and function name, eval and exec.
import sys

from .exits import Exit, exit_message
from .imports import module as _module

_main = sys.modules["__main__"]


def invoke(module, function, *args):
    """One crossing from Java per call: resolve module.function afresh and call it."""
    try:
        return getattr(_module(module), function)(*args)
    except SystemExit as e:
        raise Exit(e, exit_message(e)) from None


_CALL_SITE = """\
def site(*args):
    try:
        return getattr(module, function)(*args)
    except SystemExit as e:
        raise _Exit(e, _exit_message(e)) from None
"""


def call_site(module, function):
    """What Java calls for module.function(*args) once it has called it before: the same as invoke()
    (the attribute is looked up afresh at every call, so a rebound function is seen at once), but
    with the module and name bound here, so the JIT compiles a call through it to about a direct
    call (P1: ~50 ns against ~120 ns for invoke). Each site is compiled on its own: sites sharing
    one code object would share one call target, whose call would then be polymorphic."""
    scope = {"module": _module(module), "function": function, "_Exit": Exit, "_exit_message": exit_message}
    exec(compile(_CALL_SITE, "<hzpy call site %s.%s>" % (module, function), "exec"), scope)
    return scope["site"]


def invoke_kw(module, function, kwargs, *args):
    try:
        return getattr(_module(module), function)(*args, **kwargs)
    except SystemExit as e:
        raise Exit(e, exit_message(e)) from None


class NestedTimeout(TimeoutError):
    """Raised into a nested call (Python -> Java -> Python) that ran past its own timeout: it stops
    that call only. An interrupt of the context would unwind the outer call as well."""


def invoke_within(seconds, module, function, kwargs, *args):
    """invoke() / invoke_kw() that stops itself after `seconds`: a trace function raises
    NestedTimeout at the next line of Python it reaches (again at every line, if caught)."""
    import time
    monotonic = time.monotonic
    deadline = monotonic() + seconds
    previous = sys.gettrace()

    def tracer(frame, event, arg):
        if monotonic() > deadline:
            raise NestedTimeout("stopped after its timeout of %d ms" % round(seconds * 1000))
        return tracer

    sys.settrace(tracer)
    try:
        if kwargs is None:
            return invoke(module, function, *args)
        return invoke_kw(module, function, kwargs, *args)
    finally:
        sys.settrace(previous)


_code_cache = {}


def _compiled(source, mode):
    key = (source, mode)
    code = _code_cache.get(key)
    if code is None:
        code = compile(source, "<hzpy " + mode + ">", mode)
        if len(_code_cache) >= 256:
            _code_cache.clear()
        _code_cache[key] = code
    return code


def eval_(expression, local_vars):
    try:
        # CPython's eval() strips leading spaces and tabs from a string (compile() does not)
        code = _compiled(expression.lstrip(" \t"), "eval")
        if local_vars is None:
            return eval(code, _main.__dict__)
        return eval(code, _main.__dict__, local_vars)
    except SystemExit as e:
        raise Exit(e, exit_message(e)) from None


def exec_(source):
    try:
        exec(compile(source, "<hzpy exec>", "exec"), _main.__dict__)
    except SystemExit as e:
        raise Exit(e, exit_message(e)) from None


def check_syntax(source):
    compile(source, "<hzpy exec>", "exec")
