# Module scopes: a directory of modules private to its owner (a Jet job's attached directory). Its
# modules import as submodules of a package of the scope's own, "_hzpy_scope_<n>", so two scopes may
# hold different modules of one name at once. Java tells each context the live scopes before a call
# (sync_scopes) whenever they changed; a closed scope's modules are dropped then.
# A deployment's versions are scopes too; the current version's top-level names are *routed*: a
# plain import of one (from any code), importlib.import_module and a call by name from Java go to
# that version's scope. A module inside a scope imports its own scope's modules first, so a call
# still running on a replaced version keeps importing that version.
import _thread
import builtins
import sys

from .imports import imported, modules, original_import, route_changes, routes

_SCOPE_PREFIX = "_hzpy_scope_"
_scope_dirs = {}   # scope package name -> its directory, the live ones only
_scope_names = {}  # scope package name -> the top-level module names its directory holds
_scope_labels = {}  # scope package name -> what tracebacks name its files by ("<job>", "<deploy x@3>")
# One sync at a time: threads of a SHARED-mode context may sync at once (Java serializes them too,
# but this module's state must not depend on it).
_sync_lock = _thread.allocate_lock()


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
        scope, _, rest = name.partition(".")
        directory = _scope_dirs.get(scope)
        if directory is not None and "." not in rest and path == [directory]:
            spec = _top_level_file_spec(name, scope, directory, rest)
            if spec is not None:
                return spec
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and isinstance(spec.loader, importlib.machinery.SourceFileLoader):
            spec.loader = _ScopeLoader(spec.loader, _scope_dirs.get(scope, ""), _scope_labels.get(scope, "<job>"))
        return spec

    @staticmethod
    def find_distributions(context=None):
        """importlib.metadata: the *.dist-info of the current deployment versions (the routed
        scopes), before anything on sys.path. Replaced and removed versions are not seen."""
        if not routes:
            return iter(())
        import importlib.metadata as metadata
        if context is None:
            context = metadata.DistributionFinder.Context()
        found = []
        for scope in sorted(set(routes.values())):
            directory = _scope_dirs.get(scope)
            if directory is not None:
                found.extend(metadata.MetadataPathFinder.find_distributions(
                    metadata.DistributionFinder.Context(name=context.name, path=[directory])))
        return iter(found)


_SCOPE_CODE_LIMIT = 256
_scope_code = {}  # ("<job>/<name>", source bytes) -> code object, oldest first


def kept_code(cache, limit, key, make):
    """cache[key], made by make() the first time; the oldest entry leaves once cache holds limit."""
    code = cache.get(key)
    if code is None:
        code = make()
        if len(cache) >= limit:
            cache.pop(next(iter(cache)))
        cache[key] = code
    return code


class _ScopeLoader:
    """Runs a scope module from a code object kept for every scope whose file has the same name and
    bytes: a job that ships the code of an earlier one (even one that has ended) gets its compiled,
    and JIT-compiled, functions instead of compiling them afresh (P5: 1.4-1.9x the throughput).
    GraalPy's own cache of compiled sources lets go of the code once the earlier job's modules
    are dropped, hence this one. The file is named "<job>/<name>", not by its temporary directory.
    The module itself is new for each scope: no state is shared."""

    def __init__(self, loader, directory, label):
        self.loader = loader
        self.directory = directory
        self.label = label

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        path = self.loader.get_filename(module.__name__)
        source = self.loader.get_data(path)
        relative = path[len(self.directory):].lstrip("/\\") if path.startswith(self.directory) else path
        key = (self.label + "/" + relative, source)
        code = kept_code(_scope_code, _SCOPE_CODE_LIMIT, key,
                         lambda: compile(source, key[0], "exec", dont_inherit=True))
        exec(code, module.__dict__)

    def is_package(self, fullname):
        return self.loader.is_package(fullname)


def _top_level_file_spec(name, scope, directory, top):
    """The spec of a scope's top-level module file, made here from the scope's listing; None for a
    package or a name the scope lacks (PathFinder decides those). PathFinder made a FileFinder for
    each new scope's directory and listed it again, and its code, reached anew at every job, was
    still being compiled while jobs ran."""
    import os
    names = _scope_names.get(scope)
    if names is None:
        names = _scope_names[scope] = _top_level_names(directory)
    if top not in names:
        return None
    file = os.path.join(directory, top + ".py")
    if not os.path.isfile(file) or os.path.isdir(os.path.join(directory, top)):
        return None  # a package directory comes first, as for PathFinder
    import importlib.machinery
    import importlib.util
    loader = _ScopeLoader(importlib.machinery.SourceFileLoader(name, file), directory,
                          _scope_labels.get(scope, "<job>"))
    return importlib.util.spec_from_file_location(name, file, loader=loader)


def _top_level_names(directory):
    import os
    names = set()
    for entry in os.listdir(directory):
        if entry.endswith(".py"):
            names.add(entry[:-3])
        elif "." not in entry and os.path.isdir(os.path.join(directory, entry)):
            names.add(entry)
    return frozenset(names)


def _own_scope(owner, top):
    """The scope of module `owner` if that scope holds top-level module `top`, else None."""
    if type(owner) is str and owner.startswith(_SCOPE_PREFIX):
        scope = owner.partition(".")[0]
        names = _scope_names.get(scope)
        if names is None and scope in _scope_dirs:
            names = _scope_names[scope] = _top_level_names(_scope_dirs[scope])
        if names is not None and top in names:
            return scope
    return None


def _scoped_import(name, globals=None, locals=None, fromlist=(), level=0):
    """`import x` inside a scope's module finds the scope's own x first; elsewhere a routed x (a
    deployment's) comes from its current version's scope; then the module path and the standard
    library, as usual. Installed only while this context has a live scope. It falls back to the
    import taken at bootstrap, never to whatever builtins.__import__ holds."""
    if level == 0:
        top = name.partition(".")[0]
        scope = _own_scope(globals.get("__name__"), top) if type(globals) is dict else None
        if scope is None:
            scope = routes.get(top)
        if scope is not None:
            module = original_import(scope + "." + name, globals, locals, fromlist, 0)
            return module if fromlist else modules[scope + "." + top]
    return original_import(name, globals, locals, fromlist, level)


_original_import_module = None


def _import_module(name, package=None):
    """importlib.import_module, routed like the import statement (it does not go through
    builtins.__import__). Installed only while some name is routed."""
    if name.startswith(".") and package and not package.startswith(_SCOPE_PREFIX):
        import importlib.util
        name = importlib.util.resolve_name(name, package)  # ".rates" of package "pricing" is routed too
    if not name.startswith("."):
        top = name.partition(".")[0]
        scope = _own_scope(sys._getframe(1).f_globals.get("__name__"), top)
        if scope is None:
            scope = routes.get(top)
        if scope is not None:
            return _original_import_module(scope + "." + name)
    return _original_import_module(name, package)


def sync_scopes(live, labels=None, routed=None):
    """The live scopes, their labels and the routed names, from Java: drop the modules of the
    closed scopes, forget calls by name to names routed elsewhere now, and scope imports on or off.
    Idempotent, and one sync at a time; the import it installs never changes what it falls back to,
    so no interleaving can make an import call itself.
    Each step is a small function of its own: this runs at every job's start and end, and as one
    large function the JIT compiled it again at each new branch a job took (0.5-0.7 s a time, P5)."""
    with _sync_lock:
        if labels:
            _scope_labels.update(labels)
        for scope in [s for s in _scope_dirs if s not in live]:
            _drop_scope(scope)
        # changed in place, never rebound: GraalPy takes a module global's value as a constant in
        # compiled code, and importlib's compiled import code (which calls _ScopeFinder.find_spec)
        # was compiled again and again while this was rebound at each job's start and end
        _scope_dirs.update(live)
        for scope in [s for s in _scope_labels if s not in _scope_dirs]:
            _scope_labels.pop(scope, None)
        # routes change after the new scopes are known (another thread may import meanwhile)
        _sync_routes(routed or {})
        _sync_import_hooks()


def _drop_scope(scope):
    """A closed scope's modules and directory gone; snapshots of the module tables taken in one
    step (other threads of a SHARED context import meanwhile)."""
    dead = scope + "."
    for table in (modules, imported):
        for name in [n for n in table.copy() if n == scope or n.startswith(dead)]:
            table.pop(name, None)
    _scope_names.pop(scope, None)
    directory = _scope_dirs.pop(scope, None)
    if directory is not None:
        sys.path_importer_cache.pop(directory, None)


def _sync_routes(routed):
    changed = [top for top in set(routes) | set(routed) if routes.get(top) != routed.get(top)]
    if not changed:
        return
    route_changes[0] += 1
    for top in changed:
        if top in routed:
            routes[top] = routed[top]
        else:
            routes.pop(top, None)
    for name in [n for n in imported.copy() if n.partition(".")[0] in changed]:
        imported.pop(name, None)


def _sync_import_hooks():
    """Scoped imports on while a scope lives, routed import_module on while a name is routed."""
    global _original_import_module
    if _scope_dirs:
        if builtins.__import__ is original_import:  # not over an import hook of the user's own
            builtins.__import__ = _scoped_import
    elif builtins.__import__ is _scoped_import:
        builtins.__import__ = original_import
    if routes and _original_import_module is None:
        import importlib
        _original_import_module = importlib.import_module
        importlib.import_module = _import_module
    elif not routes and _original_import_module is not None:
        import importlib
        if importlib.import_module is _import_module:
            importlib.import_module = _original_import_module
            _original_import_module = None


_job_warm_up_rounds = [0]  # done in this context


def warm_up_jobs(directory, seconds, rounds):
    """Runs, for about `seconds`, more of `rounds` rounds (hzpy.warmup-jobs) of what each Jet job with an attached directory makes this
    context do: its scope synced in, its module imported and called through a call site, its scope
    synced out (a scope of its own each round, "<prefix>warmup<n>", over `directory`: a scope Java
    keeps live for this, holding hzpy_job_warmup.py). Otherwise this per-job code (sync_scopes,
    importlib's loading, call_site) is first compiled while the first ~30 jobs run, each function
    again in every engine (P5: 0.1-0.3 cores of its measured rounds). Java holds this context's
    scope lock meanwhile, so no sync of its own comes between a round's two. True once done.
    400 rounds compiled almost none of it (a member's start-up keeps the JIT's queue long, and Truffle
    raises its thresholds with the queue); with 3000 the last of it compiled near the end, in 4-7 s
    of each context's time (2 contexts, this machine)."""
    from .calls import call_site
    import time
    clock = time.perf_counter
    start = clock()
    while _job_warm_up_rounds[0] < rounds and clock() - start < seconds:
        n = _job_warm_up_rounds[0]
        _job_warm_up_rounds[0] = n + 1
        scope = "%swarmup%d" % (_SCOPE_PREFIX, n)  # never a name Java gives (a number follows its prefix)
        live = dict(_scope_dirs)
        routed = dict(routes)
        live[scope] = directory
        sync_scopes(live, {scope: "<job>"}, routed)
        try:
            call_site(scope + ".hzpy_job_warmup", "handler")(["a", "b", str(n)])
        finally:
            del live[scope]
            sync_scopes(live, None, routed)
    return _job_warm_up_rounds[0] >= rounds


def label_of(module):
    """What tracebacks name the files of the scope that holds `module` ("<job>", "<deploy x@3>"), or None."""
    if not module.startswith(_SCOPE_PREFIX):
        return None
    return _scope_labels.get(module.partition(".")[0])


def reserved_names():
    """The module names no deployment may provide: the standard library's and the interpreter's own."""
    return sorted(set(sys.stdlib_module_names) | set(sys.builtin_module_names))


sys.meta_path.insert(0, _ScopeFinder)
