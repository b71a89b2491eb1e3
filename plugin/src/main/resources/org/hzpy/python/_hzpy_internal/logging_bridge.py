# Python's logging goes to the member's log (logger hzpy.python.<name>, levels mapped in Java): a
# handler on the root logger, added when `logging` is first imported (importing it up front would
# slow every context's start). The root logger passes every level on; the member's logger decides.
from . import host as _host_module


def configure_logging(logging):
    class HzpyHandler(logging.Handler):
        def emit(self, record):
            try:
                message = self.format(record)
            except Exception:
                self.handleError(record)
                return
            r = _host_module.host("log", record.name, record.levelno, message)
            if not r[0]:
                raise _host_module.host_error(r[1], r[2])

    root = logging.getLogger()
    if not any(type(h).__name__ == "HzpyHandler" for h in root.handlers):
        root.addHandler(HzpyHandler())
        root.setLevel(logging.NOTSET)
