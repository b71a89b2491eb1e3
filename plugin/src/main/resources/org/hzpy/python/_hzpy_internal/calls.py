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
    call (P1: ~50 ns against ~120 ns for invoke). Each module.function has a site compiled on its
    own (its file name says which; GraalPy hands out one code object per source and file name):
    sites sharing one code object share one call target, whose call would then be polymorphic."""
    scope = {"module": _module(module), "function": function, "_Exit": Exit, "_exit_message": exit_message}
    exec(_site_code(module, function), scope)
    return scope["site"]


_SITE_LIMIT = 256
_site_codes = {}  # what a site is for -> its code, kept while sites come and go; oldest first


def _site_code(module, function):
    """The call site's code, kept: a site is made again whenever Java's cache of them is cleared
    (at every change of the module scopes: each Jet job's start and end), and GraalPy let go of the
    code with the last site using it, so each job's calls went through a new call target, compiled
    again in every job and engine (P5, module-path handler: two tiers in two engines each job, 0.2
    cores). A Jet job's own module (attached to the job: a module scope of its own,
    "_hzpy_scope_<n>.<name>") gets the code made for the same module and function in an earlier
    job. Jet calls a site once per batch, so what sharing costs (a site no longer specialized on one
    module) is per batch."""
    from .scopes import kept_code, label_of
    name = "<job>.%s.%s" % (module.partition(".")[2], function) if label_of(module) == "<job>" else "%s.%s" % (
        module, function)
    return kept_code(_site_codes, _SITE_LIMIT, name,
                     lambda: compile(_CALL_SITE, "<hzpy call site %s>" % name, "exec"))


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
