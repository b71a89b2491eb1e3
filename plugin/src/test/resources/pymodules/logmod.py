# Python output and logging for LoggingTest.
import logging


def log(name, level, message, *args):
    logging.getLogger(name).log(level, message, *args)


def log_error_with_traceback(name):
    try:
        {}["missing"]
    except KeyError:
        logging.getLogger(name).exception("lookup failed")


def say(text):
    print(text)


def flood(n, tag):
    for i in range(n):
        print(tag, i)
    return n


def log_each(prefix, n, message):
    """Logs one record under each of n logger names prefix.0 .. prefix.(n-1)."""
    for i in range(n):
        logging.getLogger("%s.%d" % (prefix, i)).warning(message)
    return n
