"""An example module. Members can import it because conf/hazelcast.yaml lists this folder (python/)
in hzpy.module-path, and clients may call it because hzpy.remote-modules allows module-path modules.

    bin/hzpy-member call example.hello World
"""
import os
import platform
import sys


def hello(name="world"):
    implementation = "GraalPy" if sys.implementation.name == "graalpy" else platform.python_implementation()
    return f"Hello, {name}, from {implementation} {sys.version.split()[0]} in member process {os.getpid()}"


def fib(n):
    return n if n < 2 else fib(n - 1) + fib(n - 2)


def where():
    """The process id of the member that runs this call."""
    return os.getpid()
