# Modules by name, for calls from Java, and the import the scoped one falls back to.
import builtins
import sys

modules = sys.modules

# The builtin import, taken once at bootstrap, before anything of hzpy's replaces it. Nothing reads
# builtins.__import__ again to find it: a read while the scoped import is installed would take the
# scoped import for the builtin one, and every import would then recurse forever.
original_import = builtins.__import__

# Modules whose import has completed. Not sys.modules: there a module appears while another
# thread is still importing it, and only the import machinery waits for that to finish.
imported = {}

# Top-level names that deployments provide -> the scope package of their current version (from
# Java, through scopes.sync_scopes). A call by name to one of them goes to that scope's module.
routes = {}
# One step per change of routes: a resolution that began before a change does not cache its result.
route_changes = [0]


def module(name):
    m = imported.get(name)
    if m is None:
        changes = route_changes[0]
        scope = routes.get(name.partition(".")[0])
        full = name if scope is None else scope + "." + name
        original_import(full)
        m = modules[full]
        if route_changes[0] == changes:
            imported[name] = m
    return m


def forget_denied_imports():
    """A host denial (the sandbox's SecurityException) unwinds through Python without running its
    finally blocks: an import it hit stays in sys.modules half-initialized, its module lock held by
    this thread, and every later import of it fails (or waits on the lock). Java calls this after a
    denial in an outermost call (no import of this thread is legitimately in progress then)."""
    import _thread
    import importlib._bootstrap as bootstrap
    me = _thread.get_ident()
    for name, m in list(sys.modules.items()):
        spec = getattr(m, "__spec__", None)
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
