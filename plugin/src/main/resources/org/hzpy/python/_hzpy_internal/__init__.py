# The Java side of hzpy calls these helpers; they are not part of the public `hzpy` module.
# Loaded once into every context as the package `_hzpy_internal` (by Java: PythonHelpers, which
# runs its modules in the order it lists). Each module holds one concern; this one names what Java
# calls. Nothing heavy is imported at load time (importing `traceback` alone costs seconds in a
# fresh context): a context is ready sooner, and the warm-up imports the rest in the background.
from . import after_import as _after_import
from . import exits as _exits  # (loading it blocks os._exit and the signal functions)
from . import json_decoding as _json_decoding
from . import logging_bridge as _logging_bridge
from . import regex_calls as _regex_calls
from .calls import NestedTimeout, call_site, check_syntax, eval_, exec_, invoke, invoke_kw, invoke_within
from .conversions import (NONE, as_list, bytes_as_latin1, container_kind, flat_items, make_bytes, make_dict,
                          make_frozenset, make_int, make_list, make_set, make_tuple, pack_list, utf16_units)
from .errors import describe, type_name
from .host import install_hzpy
from .imports import forget_denied_imports
from .json_training import json_scanner, json_settled, train_json
from . import module_warmup
from . import sleep as _sleep  # (loading it makes time.sleep interruptible)
from .scopes import _scope_code, reserved_names, sync_scopes, warm_up_jobs
from .warmup import gc_counts, warm_imports, warm_up

json_decoder = _json_decoding.use

_after_import.after_import({"logging": _logging_bridge.configure_logging, "json": _json_decoding.adjust,
                             "_sre": _regex_calls.adjust})


def warmup_settled():
    """Whether this context's background warm-up is over: the modules' warm-up and json's training."""
    return module_warmup.done() and json_settled()
