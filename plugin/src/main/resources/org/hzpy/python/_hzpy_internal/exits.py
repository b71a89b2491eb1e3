# Python may not end or signal the member process: SystemExit, os._exit and signal functions.
import sys


class Exit(BaseException):
    """Carries a SystemExit (or an os._exit) out of user code. A SystemExit that reached the
    polyglot boundary would be taken as the end of the program and lose its code; this is an
    ordinary exception there, described as the SystemExit it stands for."""

    def __init__(self, exit_exc, message):
        super().__init__(message)
        self.exit_exc = exit_exc
        self.message = message


def exit_message(exc):
    try:
        return str(exc)
    except BaseException:
        return "<str() of the SystemExit failed>"


def _os_exit(status=0):
    raise Exit(None, "os._exit(%r) was called: hzpy does not let Python end the member process" % (status,))


def _block_process_exit():
    for name in ("os", "posix", "nt"):
        m = sys.modules.get(name)
        if m is not None and hasattr(m, "_exit"):
            m._exit = _os_exit


def _signal_denied(name):
    def denied(*args, **kwargs):
        raise PermissionError("signal.%s() is denied: hzpy does not let Python signal the member process"
                              " or replace its signal handlers" % name)
    denied.__name__ = name
    return denied


def _block_signals():
    """GraalPy's signal functions act on the member JVM itself: raise_signal(SIGINT) or (SIGTERM)
    shuts the member down, signal.signal() replaces the JVM's own handlers (SIG_IGN for SIGTERM:
    the member no longer stops), alarm() and setitimer() start a raw Java thread that raises
    SIGALRM later (which ends the JVM). Denied in every sandbox mode, like os._exit. `signal` copies
    these from `_signal` when it is imported, so blocking them in `_signal` covers both."""
    import _signal
    for m in (_signal, sys.modules.get("signal")):
        if m is not None:
            for name in ("signal", "raise_signal", "alarm", "setitimer", "pthread_kill", "siginterrupt"):
                if hasattr(m, name):
                    setattr(m, name, _signal_denied(name))


_block_process_exit()
_block_signals()
