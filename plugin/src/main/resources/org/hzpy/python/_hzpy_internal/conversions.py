# Helpers of Java's value conversions: kinds, packed lists, builders of Python values.
NONE = None


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
    cross to Java in two or three values instead of several interop steps per item (str joined by
    NULs, or, if an item holds one, joined with their lengths beside) (a Jet batch's results,
    a parallel's); None for anything else, which Java then converts item by item. bool is not int here."""
    global _array
    if _array is None:
        from array import array as _array
    t = type(x[0])
    if t is str:
        for s in x:
            if type(s) is not str:
                return None
        joined = "\0".join(x)
        if not joined.isascii():
            return None
        if joined.count("\0") == len(x) - 1:  # no item holds a NUL: Java cuts at them
            return ["z", joined]
        return ["s", "".join(x), _array("q", [len(s) for s in x]).tobytes().decode("latin-1")]
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
