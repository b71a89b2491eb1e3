# Describing a Python exception to Java: its type's name, its message and its traceback.
from .exits import Exit


def type_name(x):
    t = type(x)
    module = t.__module__
    if module == "builtins":
        return t.__qualname__
    if not isinstance(module, str):  # e.g. __module__ = None: named as CPython's traceback names it
        module = "<unknown>"
    return module + "." + t.__qualname__


def describe(exc):
    """(type, message, traceback) of an exception, for PythonException. Runs inside the call's
    deadline: a __str__ that never returns is interrupted like the call itself."""
    if isinstance(exc, Exit):
        message = exc.message
        shown = exc.exit_exc if exc.exit_exc is not None else exc
        return ("SystemExit", message, _traceback(shown, "SystemExit: " + message))
    try:
        message = str(exc)
    except BaseException as e:
        message = "<str() of the exception failed: %s>" % (_safe_type_name(e),)
    return (_safe_type_name(exc), message, _traceback(exc, _safe_type_name(exc) + ": " + message))


def _safe_type_name(x):
    try:
        return type_name(x)
    except Exception:
        return "<unnamed type>"


# GraalPy lets recursion go as deep as the Java stack allows (thousands of frames, not
# sys.getrecursionlimit()) and formatting one frame costs milliseconds there: the full traceback
# of a RecursionError took longer than most call timeouts. Longer tracebacks keep both ends.
_TB_HEAD = 50
_TB_TAIL = 50


def _traceback(exc, fallback):
    import traceback
    try:
        tb, omitted = _trimmed(exc.__traceback__)
        te = traceback.TracebackException(type(exc), exc, tb, limit=_TB_HEAD + _TB_TAIL, compact=True)
        if omitted:
            te.__notes__ = list(te.__notes__ or ()) + [
                "(hzpy: %d frames in the middle of this traceback are not shown)" % omitted]
        return "".join(te.format())
    except Exception:
        return "Traceback could not be formatted\n" + fallback + "\n"


def _trimmed(tb):
    """(tb, 0), or a copy of a traceback longer than _TB_HEAD + _TB_TAIL without its middle and
    how many frames that left out. The exception's own traceback is not changed."""
    tbs = []
    while tb is not None:
        tbs.append(tb)
        tb = tb.tb_next
    if len(tbs) <= _TB_HEAD + _TB_TAIL:
        return (tbs[0] if tbs else None), 0
    import types
    copy = None
    for t in reversed(tbs[:_TB_HEAD] + tbs[-_TB_TAIL:]):
        copy = types.TracebackType(copy, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return copy, len(tbs) - _TB_HEAD - _TB_TAIL
