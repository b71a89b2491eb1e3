"""DeploymentTest: module-path code that imports deployed modules lazily, each way Python has."""


def version_by_import():
    import pricing
    return pricing.VERSION


def rate_by_from_import():
    from pricing import rates
    return rates.RATE


def rate_by_dunder_import():
    return __import__("pricing.rates", fromlist=["RATE"]).RATE


def rate_by_importlib():
    import importlib
    return importlib.import_module("pricing.rates").RATE


def rate_by_relative_importlib():
    import importlib
    return importlib.import_module(".rates", "pricing").RATE
