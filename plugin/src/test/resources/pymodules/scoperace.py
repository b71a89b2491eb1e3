"""For ScopedImportRaceTest: a scope sync that reads sys.modules while another thread of the same
SHARED-mode context imports a module (which adds an entry), made deterministic."""
import _hzpy_internal.scopes as scopes


class _ImportingMeanwhile(dict):
    """sys.modules as sync_scopes would see it when another thread imports between two of its steps."""

    def __iter__(self):
        it = dict.__iter__(self)
        first = next(it)
        self["_hzpy_race_imported_meanwhile"] = None
        yield first
        yield from it


def sync_while_another_thread_imports(scope_dir):
    saved = scopes.modules
    scopes.sync_scopes({"_hzpy_scope_race_meanwhile": scope_dir})
    scopes.modules = _ImportingMeanwhile(saved)
    try:
        scopes.sync_scopes({})  # drops the closed scope's modules: reads the modules table
        return "synced"
    finally:
        scopes.modules = saved
        scopes.sync_scopes({})
