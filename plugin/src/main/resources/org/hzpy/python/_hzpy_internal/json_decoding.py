# json decodes, and fails, as CPython's does, with the scanner hzpy.json-decoder chose. GraalPy's
# native scanner (_json.Scanner) counts positions in UTF-16 units (one too far per character outside
# the BMP: wrong error positions, "Extra data" missed), words some errors its own way, and GraalPy's
# int() words the int_max_str_digits error its own way. json's Python scanner recurses about twice
# per nesting level, too deep for a 1 MB thread stack at 200 levels. So JSONDecoder.raw_decode
# (which json.loads and JSONDecoder.decode go through) is replaced once json loads: a native
# scanner's failure is decoded again by the Python scanner, which words it as CPython does; a
# native result's end is counted in code points; a Python scanner out of stack hands over to the
# native one.
import sys

# "auto" (native until json's training switches json.loads to the Python scanner), "native" or "python"
mode = "auto"

_native_scanner = None  # _json.Scanner (a type), or None where GraalPy has none
_py_make_scanner = None
_py_scanstring = None
_JSONDecodeError = None


def use(decoder_mode):
    """The decoder hzpy.json-decoder names, from Java before the context serves calls."""
    global mode
    if decoder_mode not in ("auto", "native", "python"):
        raise ValueError("no json decoder " + repr(decoder_mode))
    mode = decoder_mode
    if "json" in sys.modules:
        adjust(sys.modules["json"])


def adjust(json):
    """Makes the json module decode as CPython's (runs once json has loaded)."""
    global _native_scanner, _py_make_scanner, _py_scanstring, _JSONDecodeError
    import json.decoder
    import json.scanner
    decoder = json.decoder
    _native_scanner = json.scanner.c_make_scanner if isinstance(json.scanner.c_make_scanner, type) else None
    _py_make_scanner = json.scanner.py_make_scanner
    _py_scanstring = decoder.py_scanstring
    _JSONDecodeError = decoder.JSONDecodeError
    # GraalPy's native scanstring returns the wrong end index after a character outside the BMP,
    # which the Python scanner trusts (JSONObject reads this global); the Python one is exact
    decoder.scanstring = _py_scanstring
    if decoder.JSONDecoder.raw_decode is not _raw_decode:
        decoder.JSONDecoder.raw_decode = _raw_decode
    if mode == "python":
        json.scanner.make_scanner = _py_make_scanner  # every decoder made from now on
        json._default_decoder = decoder.JSONDecoder(object_hook=None, object_pairs_hook=None)
    elif mode == "native" and _native_scanner is not None:
        json.scanner.make_scanner = _native_scanner


def in_use():
    """Which scanner json.loads uses now: "python" or "native" (json not yet imported: the mode's)."""
    json = sys.modules.get("json")
    default = getattr(json, "_default_decoder", None)
    if default is None:
        return "python" if mode == "python" else "native"
    return "native" if _is_native(default.scan_once) else "python"


def _is_native(scan):
    return _native_scanner is not None and isinstance(scan, _native_scanner)


def _raw_decode(self, s, idx=0):
    """JSONDecoder.raw_decode, as CPython's answers it with either scanner."""
    try:
        scan = self.scan_once
        if _is_native(scan):
            return _native_decode(self, scan, s, idx)
        try:
            return _python_decode(self, scan, s, idx)
        except RecursionError:
            if _native_scanner is None:
                raise
            return _native_decode(self, _native_scanner(self), s, idx)  # it needs far less stack
    except ValueError as e:
        if type(e) is ValueError and str(e).startswith("Exceeds the limit ("):
            raise _int_digits_error(str(e)) from None
        raise


def _python_decode(self, scan, s, idx):
    try:
        return scan(s, idx)
    except StopIteration as err:
        raise _JSONDecodeError("Expecting value", s, err.value) from None
    except ValueError as e:
        if isinstance(e, _JSONDecodeError):
            # the Python scanstring words two errors its own way, and places them a character further on
            if e.msg.startswith("Invalid control character ") and e.msg != "Invalid control character at":
                raise _JSONDecodeError("Invalid control character at", e.doc, e.pos - 1) from None
            if e.msg.startswith("Invalid \\escape: "):
                raise _JSONDecodeError("Invalid \\escape", e.doc, e.pos - 1) from None
        raise


def _native_decode(self, scan, s, idx):
    try:
        obj, end = scan(s, idx)
    except (StopIteration, ValueError) as native_error:
        # failures are rare: decode again with the Python scanner, which words them as CPython
        python = _with_python_scanner(self)
        try:
            return _python_decode(python, python.scan_once, s, idx)
        except RecursionError:
            pass  # too deep for this thread's stack: the native failure, at its position in code points
        if isinstance(native_error, StopIteration):
            raise _JSONDecodeError("Expecting value", s, _code_points(s, native_error.value)) from None
        if isinstance(native_error, _JSONDecodeError):
            raise _JSONDecodeError(native_error.msg, s, _code_points(s, native_error.pos)) from None
        raise
    return obj, _code_points(s, end)


def _with_python_scanner(decoder):
    python = object.__new__(type(decoder))
    python.__dict__.update(decoder.__dict__)
    python.parse_string = _py_scanstring
    python.scan_once = _py_make_scanner(python)
    return python


def _code_points(s, units):
    """The index in s of its UTF-16 unit `units` (the native scanner's positions). Counted back from
    the end: a decoded document's end is at or near it (regex search is slow on GraalPy 25.0)."""
    if s.isascii():
        return units
    total = len(s.encode("utf-16-le", "surrogatepass")) >> 1
    if total == len(s):
        return units  # no character outside the BMP
    rest = total - units
    k = len(s)
    while rest > 0 and k > 0:
        k -= 1
        rest -= 2 if s[k] > "\uffff" else 1
    return k


def _int_digits_error(graalpy_message):
    """CPython's wording of int()'s int_max_str_digits error (GraalPy's leaves out its advice)."""
    limit = sys.get_int_max_str_digits()
    digits = graalpy_message.rpartition("value has ")[2].split(" ")[0]
    return ValueError("Exceeds the limit (%d digits) for integer string conversion: value has %s digits;"
                      " use sys.set_int_max_str_digits() to increase the limit" % (limit, digits))
