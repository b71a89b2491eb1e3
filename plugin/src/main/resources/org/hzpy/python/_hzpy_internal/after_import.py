# Adjustments to standard modules that load later than hzpy: each runs once its module has loaded.
import sys


class _AfterImportFinder:
    """Finds nothing itself: it wraps the loader of a module named in its adjustments so that its
    adjustment runs once the module has loaded, then steps aside for that name."""
    adjustments = {}

    @classmethod
    def find_spec(cls, name, path=None, target=None):
        adjust = cls.adjustments.get(name) if path is None else None
        if adjust is None:
            return None
        cls.adjustments.pop(name, None)  # another thread of a shared context may have got here first
        if not cls.adjustments:
            try:
                sys.meta_path.remove(cls)
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


def after_import(adjustments):
    """Runs adjust(module) for each top-level module name: now if it has loaded, else once it has."""
    for name, adjust in adjustments.items():
        if name in sys.modules:
            adjust(sys.modules[name])
        else:
            _AfterImportFinder.adjustments[name] = adjust
    if _AfterImportFinder.adjustments and _AfterImportFinder not in sys.meta_path:
        sys.meta_path.insert(0, _AfterImportFinder)
