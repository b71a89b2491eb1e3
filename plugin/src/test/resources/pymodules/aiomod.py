# Coroutines for AsyncioTest and docs/streams-and-async.md: hzpy runs an async def called through
# call/callAsync on its context's event loop, which serves other calls while the coroutine waits.
import asyncio

import hzpy


async def await_java(name, *args):
    """Awaits a Java function registered with Py.registerFunction (a CompletionStage, or a plain value)."""
    return await hzpy.call_async(name, *args)


async def gather_java(name, n):
    """n awaits of one Java function at once; the sum of their results."""
    results = await asyncio.gather(*(hzpy.call_async(name, i) for i in range(n)))
    return sum(results)


async def sleep_then(seconds, value):
    await asyncio.sleep(seconds)
    return value


async def wait_for_sleep(seconds, limit):
    try:
        await asyncio.wait_for(asyncio.sleep(seconds), limit)
        return "slept"
    except TimeoutError:
        return "wait_for timed out"


async def doubled(x):
    return x * 2


async def await_with_finally(name, marker):
    """Awaits a Java function; whatever ends the wait, tells Java (hzpy.call) that its finally ran."""
    try:
        return await hzpy.call_async(name)
    finally:
        hzpy.call("aio.finally", marker)


async def fails(message):
    await asyncio.sleep(0)
    raise ValueError(message)


async def opens_socket():
    await asyncio.sleep(0)
    import socket
    socket.socket().connect(("127.0.0.1", 6161))
    return "connected"


async def starts_thread():
    await asyncio.sleep(0)
    import threading
    threading.Thread(target=lambda: None).start()
    return "started"


async def runs_subprocess():
    await asyncio.sleep(0)
    import subprocess
    return subprocess.run(["true"]).returncode


def add(a, b):
    return a + b


async def many_sleeps(n, seconds):
    """Suspends n times on the loop's timers (AsyncWakeUpTest): each resume needs a timer wake-up."""
    import asyncio
    for _ in range(n):
        await asyncio.sleep(seconds)
    return n
