# Times the P4 functions in CPython. Usage: python3 cpython_runner.py FUNCTIONS_FILE WARMUP SAMPLES
# Loads bench_functions.py, calls every case WARMUP times, then SAMPLES rounds (one call of each
# case per round, so noise spreads over all cases), timing each call with time.perf_counter.
# Prints one JSON object: {"python": version, "cases": {name: {"first_ms": x, "samples_ms": [...]}}}.
import json
import platform
import sys
import time


def main():
    path, warmup, samples = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    functions = {}
    with open(path, encoding="utf-8") as f:
        exec(compile(f.read(), path, "exec"), functions)
    cases = functions["CASES"]
    result = {name: {"first_ms": None, "samples_ms": []} for name, _ in cases}
    for name, arg in cases:
        fn = functions[name]
        for i in range(warmup):
            t0 = time.perf_counter()
            fn(arg)
            if i == 0:
                result[name]["first_ms"] = (time.perf_counter() - t0) * 1000.0
    for _ in range(samples):
        for name, arg in cases:
            fn = functions[name]
            t0 = time.perf_counter()
            fn(arg)
            result[name]["samples_ms"].append((time.perf_counter() - t0) * 1000.0)
    print(json.dumps({"python": platform.python_implementation() + " " + platform.python_version(),
                      "cases": result}))


if __name__ == "__main__":
    main()
