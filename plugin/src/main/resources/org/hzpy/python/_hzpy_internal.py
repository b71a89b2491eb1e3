# The Java side of hzpy calls these helpers; they are not part of the public `hzpy` module.
# Loaded once into every context as the module `_hzpy_internal`. It imports nothing heavy at
# load time (importing `traceback` alone costs seconds in a fresh context): a context is ready
# sooner, and the warm-up imports the rest in the background.
import sys

_main = sys.modules["__main__"]
_modules = sys.modules

NONE = None


# Modules whose import has completed. Not sys.modules: there a module appears while another
# thread is still importing it, and only the import machinery waits for that to finish.
_imported = {}


def _module(name):
    m = _imported.get(name)
    if m is None:
        __import__(name)
        m = _modules[name]
        _imported[name] = m
    return m


class _Exit(BaseException):
    """Carries a SystemExit (or an os._exit) out of user code. A SystemExit that reached the
    polyglot boundary would be taken as the end of the program and lose its code; this is an
    ordinary exception there, described as the SystemExit it stands for."""

    def __init__(self, exit_exc, message):
        super().__init__(message)
        self.exit_exc = exit_exc
        self.message = message


def _exit_message(exc):
    try:
        return str(exc)
    except BaseException:
        return "<str() of the SystemExit failed>"


def _os_exit(status=0):
    raise _Exit(None, "os._exit(%r) was called: hzpy does not let Python end the member process" % (status,))


def _block_process_exit():
    for name in ("os", "posix", "nt"):
        m = _modules.get(name)
        if m is not None and hasattr(m, "_exit"):
            m._exit = _os_exit


_block_process_exit()


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
    for m in (_signal, _modules.get("signal")):
        if m is not None:
            for name in ("signal", "raise_signal", "alarm", "setitimer", "pthread_kill", "siginterrupt"):
                if hasattr(m, name):
                    setattr(m, name, _signal_denied(name))


_block_signals()


def invoke(module, function, *args):
    """One crossing from Java per call: resolve module.function afresh and call it."""
    try:
        return getattr(_module(module), function)(*args)
    except SystemExit as e:
        raise _Exit(e, _exit_message(e)) from None


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
    scope = {"module": _module(module), "function": function, "_Exit": _Exit, "_exit_message": _exit_message}
    exec(compile(_CALL_SITE, "<hzpy call site %s.%s>" % (module, function), "exec"), scope)
    return scope["site"]


def invoke_kw(module, function, kwargs, *args):
    try:
        return getattr(_module(module), function)(*args, **kwargs)
    except SystemExit as e:
        raise _Exit(e, _exit_message(e)) from None


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
        code = _compiled(expression, "eval")
        if local_vars is None:
            return eval(code, _main.__dict__)
        return eval(code, _main.__dict__, local_vars)
    except SystemExit as e:
        raise _Exit(e, _exit_message(e)) from None


def exec_(source):
    try:
        exec(compile(source, "<hzpy exec>", "exec"), _main.__dict__)
    except SystemExit as e:
        raise _Exit(e, _exit_message(e)) from None


def check_syntax(source):
    compile(source, "<hzpy exec>", "exec")


def type_name(x):
    t = type(x)
    module = t.__module__
    if module == "builtins":
        return t.__qualname__
    if not isinstance(module, str):  # e.g. __module__ = None: named as CPython's traceback names it
        module = "<unknown>"
    return module + "." + t.__qualname__


def forget_denied_imports():
    """A host denial (the sandbox's SecurityException) unwinds through Python without running its
    finally blocks: an import it hit stays in sys.modules half-initialized, its module lock held by
    this thread, and every later import of it fails (or waits on the lock). Java calls this after a
    denial in an outermost call (no import of this thread is legitimately in progress then)."""
    import _thread
    import importlib._bootstrap as bootstrap
    me = _thread.get_ident()
    for name, module in list(sys.modules.items()):
        spec = getattr(module, "__spec__", None)
        if spec is not None and getattr(spec, "_initializing", False) is True:
            ref = bootstrap._module_locks.get(name)
            lock = ref() if ref is not None else None
            if lock is None or getattr(lock, "owner", None) == me:
                sys.modules.pop(name, None)
                spec._initializing = False
    for ref in list(bootstrap._module_locks.values()):
        lock = ref()
        while lock is not None and getattr(lock, "owner", None) == me and getattr(lock, "count", None):
            lock.release()


def describe(exc):
    """(type, message, traceback) of an exception, for PythonException. Runs inside the call's
    deadline: a __str__ that never returns is interrupted like the call itself."""
    if isinstance(exc, _Exit):
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


# Kinds for values the fast interop checks cannot classify on their own.
def container_kind(x):
    t = type(x)  # not isinstance(): it believes an object's __class__, which may lie
    if issubclass(t, (list, tuple)):
        return "list"
    if issubclass(t, dict):
        return "dict"
    if issubclass(t, (set, frozenset)):
        return "set"
    if issubclass(t, (bytes, bytearray)):
        return "bytes"
    return None


def flat_items(d):
    out = []
    for k, v in d.items():
        out.append(k)
        out.append(v)
    return out


def as_list(x):
    return list(x)


_array = None


def pack_list(x):
    """A long list (or tuple) of only ASCII str, only int within 64 bits, or only float, packed to
    cross to Java in three values instead of several interop steps per item (a Jet batch's results,
    a parallel's); None for anything else, which Java then converts item by item. bool is not int here."""
    global _array
    if _array is None:
        from array import array as _array
    t = type(x[0])
    if t is str:
        for s in x:
            if type(s) is not str:
                return None
        joined = "".join(x)
        if not joined.isascii():
            return None
        return ["s", joined, _array("q", [len(s) for s in x]).tobytes().decode("latin-1")]
    if t is int or t is float:
        for v in x:
            if type(v) is not t:
                return None
        try:
            return ["q" if t is int else "d", _array("q" if t is int else "d", x).tobytes().decode("latin-1")]
        except OverflowError:
            return None  # an int beyond 64 bits: BigInteger, item by item
    return None


def bytes_as_latin1(b):
    return bytes(b).decode("latin-1")


# Java -> Python builders
def make_list(*items):
    return list(items)


def make_set(*items):
    return set(items)


def make_dict(*flat):
    it = iter(flat)
    return dict(zip(it, it))


def make_int(hex_digits):
    # base 16: int() refuses decimal strings of more than 4300 digits (sys.int_max_str_digits)
    return int(hex_digits, 16)


def make_bytes(latin1):
    return latin1.encode("latin-1")


def make_tuple(*items):
    return items


def make_frozenset(*items):
    return frozenset(items)


_surrogate_pair = None


def utf16_units(s):
    """How Java must read a str that interop may not hand over exactly: None if it has no
    surrogate code points (interop is exact), False if it has a high+low pair that Java would
    merge into one character, else its UTF-16 code units as latin-1 text."""
    global _surrogate_pair
    if _surrogate_pair is None:
        import re
        _surrogate_pair = re.compile("[\ud800-\udbff][\udc00-\udfff]")
    if _surrogate_pair.search(s):  # first: GraalPy's utf-8 encodes such a pair as the one character
        return False
    try:
        s.encode("utf-8")
        return None
    except UnicodeEncodeError:
        return s.encode("utf-16-le", "surrogatepass").decode("latin-1")


def warm_up(rounds):
    """Exercise the call path and the converters' helpers, so first calls are not cold. Cheap."""
    total = 0
    for i in range(rounds):
        d = {"k": i, "s": str(i), "l": [i, i + 1]}
        total += len(flat_items(d)) + len(invoke("_hzpy_internal", "type_name", i))
        total += len(make_dict("a", i, "b", [i]))
    return total


def gc_counts():
    import gc
    return list(gc.get_count())


def warm_imports():
    """The slow part of the warm-up (seconds in a fresh context): modules a first error or call needs."""
    import json
    import traceback  # describe() formats every error with it
    return len(traceback.format_exception(ValueError, ValueError("warm"), None)) + len(json.dumps([1]))


# ---------------------------------------------------------------- json's scanner
# GraalPy's native json scanner (_json.make_scanner) is slow: about 200 ns a byte on records, and
# quadratic in the length of an array (a list of 80,000 short strings took 1.1 s, CPython 8 ms).
# json's own pure-Python scanner, once the JIT has compiled it, takes about 20 ns a byte; but
# until then it is interpreted at some 26 us a byte, so switching at once made a member's first
# big json.loads take seconds. So the warm-up trains the Python scanner in slices, off the callers'
# path, and json switches to it only when it has become faster than the native one there.

_JSON_TRAINING_SECONDS = 60.0  # gives up (keeps the native scanner) after this much training
_JSON_FAST_IN_A_ROW = 3  # the Python scanner must win this many decodes in a row, on each document
_JSON_TRAINING_RECORDS = (6, 60, 400)  # the training documents' sizes: about 2 KB, 20 KB and 130 KB
_json_training = None


class _JsonTraining:
    def __init__(self):
        import json
        import json.decoder
        import json.scanner
        # GraalPy's native scanstring returns the wrong end index after a character outside the BMP
        # (it counts UTF-16 units), which the Python scanner trusts; its own scanstring is exact.
        json.decoder.scanstring = json.decoder.py_scanstring
        self.json = json
        self.py_make_scanner = json.scanner.py_make_scanner
        # Documents of growing size: the first decodes run interpreted (some 26 us a byte), so the
        # training starts small; the last is big enough that the compiled code has seen long arrays
        # and objects (trained on a 2 KB document only, a first 200 KB loads still took 3 s).
        self.docs = [self._document(n) for n in _JSON_TRAINING_RECORDS]
        self.stage = 0
        self.native = json.JSONDecoder()
        self.python = json.JSONDecoder()  # takes the Python scanstring as its parse_string
        self.python.scan_once = self.py_make_scanner(self.python)
        self.spent = 0.0
        self.wins = 0
        self.outcome = None
        self.native_seconds = None

    def _document(self, records):
        text = self.json.dumps([
            {"id": i, "name": "item-\u00e9\"%d\\n" % i, "price": i * 0.25, "small": 1.5e-7 * i, "neg": -i,
             "tags": ["a", "b", str(i % 7), "\U0001F40D" * (i % 3)], "none": None, "yes": True, "no": False,
             "dims": {"w": i % 13, "h": i % 17, "ok": i % 2 == 0, "empty": {}, "list": [], "\U0001F40D": i}}
            for i in range(records)], ensure_ascii=False)
        return text[:-1] + ', "\U0001F40D\\ud83d\\udc0d", 12345678901234567890, -0.0, 1E+2]'  # raw and escaped

    def slice(self, seconds):
        """Trains for about `seconds`; the outcome ("python" or "native") once decided, else None."""
        import time
        clock = time.perf_counter
        start = clock()
        doc = self.docs[self.stage]
        if self.native_seconds is None:
            for _ in range(20):  # the native scanner's own warm-up (host code, quick to compile)
                self.native.decode(doc)
            t0 = clock()
            for _ in range(5):
                self.native.decode(doc)
            self.native_seconds = (clock() - t0) / 5
        while clock() - start < seconds:
            t0 = clock()
            decoded = self.python.decode(doc)
            took = clock() - t0
            if decoded != self.native.decode(doc):
                return self._finish("native")  # never expected; the native scanner is the reference
            self.wins = self.wins + 1 if took < self.native_seconds / 2 else 0
            if self.wins >= _JSON_FAST_IN_A_ROW:
                if self.stage == len(self.docs) - 1:
                    return self._finish("python")
                self.stage += 1  # the next document, measured against the native scanner afresh
                self.wins = 0
                self.native_seconds = None
                break
        self.spent += clock() - start
        return self._finish("native") if self.spent > _JSON_TRAINING_SECONDS else None

    def _finish(self, scanner):
        self.outcome = scanner
        if scanner == "python":
            # json.loads(s) without options decodes with the trained decoder itself: a new one would
            # be new closures, which the JIT compiles afresh (a first big loads then ran interpreted,
            # seconds). Decoders made with options (json.loads(s, object_hook=...) makes one per call)
            # keep the native scanner.
            self.json._default_decoder = self.python
        return scanner


def train_json(seconds):
    """One slice of the warm-up's json training; the scanner json uses once decided, else None."""
    global _json_training
    if _json_training is None:
        _json_training = _JsonTraining()
    return _json_training.slice(seconds)


def json_settled():
    """Whether json's training has ended here (json_scanner() says which scanner won)."""
    return _json_training is not None and _json_training.outcome is not None


def json_scanner():
    """Which scanner json.loads uses now: "python" or "native" (json not yet imported: "native")."""
    scanner = _modules.get("json.scanner")
    decoder = getattr(_modules.get("json"), "_default_decoder", None)
    if scanner is None or decoder is None:
        return "native"
    return "python" if getattr(decoder.scan_once, "__module__", None) == "json.scanner" else "native"


_SLEEP_SLICE = 0.05


def _install_sleep():
    """time.sleep in slices of at most 50 ms. GraalPy's own sleep does not wake for a polyglot
    interrupt (in a context without pre-warm, after its first), so a stopped call slept on; between
    slices the interrupt lands. sleep(0) returns at once (GraalPy's own slept about a second)."""
    import time
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


# ---------------------------------------------------------------- module scopes
# A scope is a directory of modules private to its owner (a Jet job's attached directory). Its
# modules import as submodules of a package of the scope's own, "_hzpy_scope_<n>", so two scopes may
# hold different modules of one name at once. Java tells each context the live scopes before a call
# (sync_scopes) whenever they changed; a closed scope's modules are dropped then.

_SCOPE_PREFIX = "_hzpy_scope_"
_scope_dirs = {}   # scope package name -> its directory, the live ones only
_scope_names = {}  # scope package name -> the top-level module names its directory holds
_builtin_import = __import__  # the import the scoped one falls back to (never None: another thread
                              # of a shared context may still be inside the scoped import when it is taken out)


class _ScopeFinder:
    """Finds a scope's package itself (a namespace package whose only directory is the scope's),
    and gives the modules inside it a loader that reuses compiled code (see _ScopeLoader)."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        if not name.startswith(_SCOPE_PREFIX):
            return None
        import importlib.machinery
        if path is None:
            directory = _scope_dirs.get(name)
            if directory is None:
                return None
            spec = importlib.machinery.ModuleSpec(name, None, is_package=True)
            spec.submodule_search_locations = [directory]
            return spec
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            scope = name.partition(".")[0]
            spec.loader = _ScopeLoader(spec.loader, _scope_dirs.get(scope, ""))
        return spec


_SCOPE_CODE_LIMIT = 256
_scope_code = {}  # ("<job>/<name>", source bytes) -> code object, oldest first


class _ScopeLoader:
    """Runs a scope module from a code object kept for every scope whose file has the same name and
    bytes: a job that ships the code of an earlier one (even one that has ended) gets its compiled,
    and JIT-compiled, functions instead of compiling them afresh (P5: 1.4-1.9x the throughput).
    GraalPy's own cache of compiled sources lets go of the code once the earlier job's modules
    are dropped, hence this one. The file is named "<job>/<name>", not by its temporary directory.
    The module itself is new for each scope: no state is shared."""

    def __init__(self, loader, directory):
        self.loader = loader
        self.directory = directory

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        path = self.loader.get_filename(module.__name__)
        source = self.loader.get_data(path)
        relative = path[len(self.directory):].lstrip("/\\") if path.startswith(self.directory) else path
        key = ("<job>/" + relative, source)
        code = _scope_code.get(key)
        if code is None:
            code = compile(source, key[0], "exec", dont_inherit=True)
            if len(_scope_code) >= _SCOPE_CODE_LIMIT:
                _scope_code.pop(next(iter(_scope_code)))
            _scope_code[key] = code
        exec(code, module.__dict__)

    def is_package(self, fullname):
        return self.loader.is_package(fullname)


def _top_level_names(directory):
    import os
    names = set()
    for entry in os.listdir(directory):
        if entry.endswith(".py"):
            names.add(entry[:-3])
        elif "." not in entry and os.path.isdir(os.path.join(directory, entry)):
            names.add(entry)
    return frozenset(names)


def _scoped_import(name, globals=None, locals=None, fromlist=(), level=0):
    """`import x` inside a scope's module finds the scope's own x first (then the module path and
    the standard library, as usual). Installed only while this context has a live scope."""
    if level == 0 and type(globals) is dict:
        owner = globals.get("__name__")
        if type(owner) is str and owner.startswith(_SCOPE_PREFIX):
            scope = owner.partition(".")[0]
            names = _scope_names.get(scope)
            if names is None and scope in _scope_dirs:
                names = _scope_names[scope] = _top_level_names(_scope_dirs[scope])
            top = name.partition(".")[0]
            if names is not None and top in names:
                module = _builtin_import(scope + "." + name, globals, locals, fromlist, 0)
                return module if fromlist else _modules[scope + "." + top]
    return _builtin_import(name, globals, locals, fromlist, level)


def sync_scopes(live):
    """The live scopes, from Java: drop the modules of the others, and scope imports on or off."""
    global _scope_dirs, _builtin_import
    import builtins
    for scope in list(_scope_dirs):
        if scope not in live:
            dead = scope + "."
            for name in [n for n in _modules if n == scope or n.startswith(dead)]:
                _modules.pop(name, None)
            for name in [n for n in _imported if n == scope or n.startswith(dead)]:
                _imported.pop(name, None)
            _scope_names.pop(scope, None)
            sys.path_importer_cache.pop(_scope_dirs[scope], None)
    _scope_dirs = dict(live)
    if _scope_dirs and builtins.__import__ is not _scoped_import:
        _builtin_import = builtins.__import__
        builtins.__import__ = _scoped_import
    elif not _scope_dirs and builtins.__import__ is _scoped_import:
        builtins.__import__ = _builtin_import


sys.meta_path.insert(0, _ScopeFinder)


# ---------------------------------------------------------------- logging
# Python's logging goes to the member's log (logger hzpy.python.<name>, levels mapped in Java): a
# handler on the root logger, added when `logging` is first imported (importing it up front would
# slow every context's start). The root logger passes every level on; the member's logger decides.


def _configure_logging(logging):
    class HzpyHandler(logging.Handler):
        def emit(self, record):
            try:
                message = self.format(record)
            except Exception:
                self.handleError(record)
                return
            r = _host("log", record.name, record.levelno, message)
            if not r[0]:
                raise _host_error(r[1], r[2])

    root = logging.getLogger()
    if not any(type(h).__name__ == "HzpyHandler" for h in root.handlers):
        root.addHandler(HzpyHandler())
        root.setLevel(logging.NOTSET)


# What to adjust in a module once it has loaded, for modules loaded later than this one.
_AFTER_IMPORT = {"logging": _configure_logging}


class _AfterImportFinder:
    """Finds nothing itself: it wraps the loader of a module named in _AFTER_IMPORT so that its
    adjustment runs once the module has loaded, then steps aside for that name."""

    @staticmethod
    def find_spec(name, path=None, target=None):
        adjust = _AFTER_IMPORT.get(name) if path is None else None
        if adjust is None:
            return None
        _AFTER_IMPORT.pop(name, None)  # another thread of a shared context may have got here first
        if not _AFTER_IMPORT:
            try:
                sys.meta_path.remove(_AfterImportFinder)
            except ValueError:
                pass
        import importlib.util
        spec = importlib.util.find_spec(name)  # the other finders': this one no longer answers for name
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        load = spec.loader.exec_module

        def exec_module(module):
            load(module)
            adjust(module)

        spec.loader.exec_module = exec_module
        return spec


for _name, _adjust in list(_AFTER_IMPORT.items()):
    if _name in _modules:
        _AFTER_IMPORT.pop(_name)
        _adjust(_modules[_name])
if _AFTER_IMPORT:
    sys.meta_path.insert(0, _AfterImportFinder)
del _name, _adjust


def _host_error(type_name, message):
    """The exception a Java failure is raised as: the builtin exception it names, else RuntimeError."""
    import builtins
    t = getattr(builtins, type_name, None) if "." not in type_name else None
    if isinstance(t, type) and issubclass(t, Exception):
        return t(message)
    return RuntimeError(type_name + ": " + message)


_host = None


def install_hzpy(host):
    """Creates the module `hzpy`: what Python may ask of the member (shared state, Java functions).
    `host(name, *args)` runs a Java function and answers [True, result] or [False, type, message]."""
    global _host
    import types
    _host = host

    def _call(name, *args):
        r = host(name, *args)
        if r[0]:
            return r[1]
        raise _host_error(r[1], r[2])

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

    m = types.ModuleType("hzpy")
    m.__doc__ = "What Python may ask of the Hazelcast member it runs in: shared state and Java functions."
    for f in (state_set, state_get, state_incr, state_decr, state_delete, state_keys, call):
        f.__module__ = "hzpy"
        setattr(m, f.__name__, f)
    m.__all__ = [f.__name__ for f in (state_set, state_get, state_incr, state_decr, state_delete, state_keys, call)]
    sys.modules["hzpy"] = m
    _imported["hzpy"] = m
