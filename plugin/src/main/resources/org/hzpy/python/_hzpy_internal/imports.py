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


def module(name):
    m = imported.get(name)
    if m is None:
        original_import(name)
        m = modules[name]
        imported[name] = m
    return m
