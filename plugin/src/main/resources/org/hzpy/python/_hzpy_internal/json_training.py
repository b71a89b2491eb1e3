# json's training (hzpy.json-decoder: auto). GraalPy's native json scanner (_json.make_scanner) is
# slow: about 200 ns a byte on records, and quadratic in the length of an array (a list of 80,000
# short strings took 1.1 s, CPython 8 ms). json's own pure-Python scanner, once the JIT has compiled
# it, takes about 20 ns a byte; but until then it is interpreted at some 26 us a byte, so switching
# at once made a member's first big json.loads take seconds. So the warm-up trains the Python
# scanner in slices, off the callers' path, and json switches to it only when it has become faster
# than the native one there. With json-decoder native or python there is nothing to decide.
from . import json_decoding

_JSON_TRAINING_SECONDS = 60.0  # gives up (keeps the native scanner) after this much training
_JSON_FAST_IN_A_ROW = 3  # the Python scanner must win this many decodes in a row, on each document
_JSON_TRAINING_RECORDS = (6, 60, 400)  # the training documents' sizes: about 2 KB, 20 KB and 130 KB
_json_training = None


class _JsonTraining:
    def __init__(self):
        import json
        import json.scanner
        json_decoding.adjust(json)  # (done when json loaded; again in case it loaded before hzpy)
        self.json = json
        # Documents of growing size: the first decodes run interpreted (some 26 us a byte), so the
        # training starts small; the last is big enough that the compiled code has seen long arrays
        # and objects (trained on a 2 KB document only, a first 200 KB loads still took 3 s).
        self.docs = [self._document(n) for n in _JSON_TRAINING_RECORDS]
        self.stage = 0
        self.native = json.JSONDecoder()
        self.python = json.JSONDecoder()  # takes the Python scanstring as its parse_string
        self.python.scan_once = json.scanner.py_make_scanner(self.python)
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
    if json_decoding.mode != "auto":
        return json_decoding.mode  # nothing to decide
    if _json_training is None:
        _json_training = _JsonTraining()
    return _json_training.slice(seconds)


def json_settled():
    """Whether json's training has ended here (json_scanner() says which scanner won)."""
    return json_decoding.mode != "auto" or (_json_training is not None and _json_training.outcome is not None)


def json_scanner():
    """Which scanner json.loads uses now: "python" or "native"."""
    return json_decoding.in_use()
