# Python's side of CallbackTest: functions that call Java (hzpy.call), which calls them again.
import hzpy


def down(n):
    """n levels of Python -> Java -> Python; Java's 'down' calls this again with n - 1."""
    if n == 0:
        return 0
    return 1 + hzpy.call("down", n - 1)


def down_elsewhere(n):
    """As down(), but Java makes the nested call from another thread (a CompletionStage)."""
    if n == 0:
        return 0
    return 1 + hzpy.call("down_elsewhere", n - 1)


def call(name, *args):
    return hzpy.call(name, *args)


def catch_java_error(name):
    try:
        hzpy.call(name)
    except RuntimeError as e:
        return "caught RuntimeError: " + str(e)
    return "nothing raised"


def raise_value_error(message):
    raise ValueError(message)


def catch_python_error_through_java():
    try:
        hzpy.call("relay_value_error", "from the inner call")
    except ValueError as e:
        return "caught ValueError: " + str(e)
    return "nothing raised"


def count_then_wait(key):
    """Counts once, then waits for a Java result that arrives later: the count must stay 1."""
    hzpy.state_incr(key)
    value = hzpy.call("later", 21)
    hzpy.state_incr(key)
    return value * 2


class Account:
    """A Python object whose method asks Java for the exchange rate."""

    def __init__(self, amount):
        self.amount = amount

    def in_currency(self, currency):
        return round(self.amount * hzpy.call("rate", currency), 2)


def account_in(amount, currency):
    return Account(amount).in_currency(currency)



def outer_survives_nested_timeout(name):
    """Java's function `name` makes a nested call that times out; this outer call must carry on."""
    try:
        hzpy.call(name)
    except TimeoutError as e:
        return "outer caught TimeoutError: " + str(e)
    return "no timeout"

