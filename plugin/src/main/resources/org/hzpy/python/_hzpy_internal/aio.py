# asyncio in a context: one stepped event loop that Java ticks (org.hzpy.runtime.AsyncLoop). A tick
# runs what is ready and what is due, then returns; between ticks the context serves other calls.
# Nothing here blocks: there is no selector to wait on (no sockets or pipes in the sandbox), Java
# wakes the loop at its next timer and whenever a Java result it awaits arrives.
#
# asyncio itself is imported at the first coroutine a context sees (not at start-up: it costs time).
from .host import host_error

asyncio = None
events = None
SteppedLoop = None

# call id (Java's) -> the Task running that call's coroutine
_calls = {}
# call ids whose Task ended since Java last asked
_finished = []
# await id -> the Future that hzpy.call_async returned, until Java resolves it
_awaits = {}
_next_await = 0
_loop = None
# live tasks one loop may hold (hzpy.async-max-pending, set by Java)
max_tasks = 100000


def _define_loop():
    """Imports asyncio and defines the loop class, once."""
    global asyncio, events, SteppedLoop
    import asyncio as _asyncio
    from asyncio import base_events as _base_events, events as _events
    asyncio, events = _asyncio, _events
    SteppedLoop = _loop_class(_base_events.BaseEventLoop)
    _track_steps(_asyncio.tasks)


# loop -> the Task whose step runs now, as Task.__step enters and leaves it (see recover)
_stepping = {}
_leave_original = None


def _track_steps(tasks):
    """Task.__step calls tasks._enter_task / _leave_task by their module names: wrapped, so that a
    step cut short from outside Python (no finally ran, so _leave_task did not) can be undone."""
    global _leave_original
    enter, leave = tasks._enter_task, tasks._leave_task
    _leave_original = leave

    def _enter_task(loop, task):
        enter(loop, task)
        _stepping[loop] = task

    def _leave_task(loop, task):
        _stepping.pop(loop, None)
        leave(loop, task)

    tasks._enter_task = _enter_task
    tasks._leave_task = _leave_task


def _loop_class(base):
    class _NeverWaits:
        """The loop's selector: there is nothing to select in the sandbox, and a tick never waits."""

        def select(self, timeout=None):
            return []

        def close(self):
            pass

    class SteppedLoop(base):
        """asyncio's own event loop (timers, call_soon, tasks, futures), stepped by Java instead of run.
        run_forever / run_until_complete are refused: the loop belongs to the context, and Java runs it."""

        def __init__(self):
            super().__init__()
            self._selector = _NeverWaits()
            self._live_tasks = 0

        def _process_events(self, event_list):
            pass

        def _write_to_self(self):
            pass  # call_soon_threadsafe: the loop is ticked by Java, never asleep in a selector

        def create_task(self, coro, *, name=None, context=None):
            if self._live_tasks >= max_tasks:
                if asyncio.iscoroutine(coro):
                    coro.close()
                raise RuntimeError("this context's event loop already holds %d live tasks (hzpy.async-max-pending)"
                                   % self._live_tasks)
            task = super().create_task(coro, name=name, context=context)
            self._live_tasks += 1
            task.add_done_callback(self._task_ended)
            return task

        def _task_ended(self, task):
            self._live_tasks -= 1

        def run_forever(self):
            raise RuntimeError("hzpy runs this context's event loop itself: await instead of running it")

        def run_until_complete(self, future):
            raise RuntimeError("hzpy runs this context's event loop itself: await instead of running it")

        def _run_passes(self, passes):
            """Runs up to `passes` rounds of ready callbacks and due timers; stops early once nothing is
            ready or due. Returns the seconds until the next timer (0: more is ready now), or -1: none."""
            for _ in range(passes):
                self._run_once()
                if not self._ready:
                    s = self._scheduled
                    if not s or s[0]._when > self.time():
                        break
            if self._ready:
                return 0.0
            s = self._scheduled
            while s and s[0]._cancelled:
                s[0]._scheduled = False
                import heapq
                heapq.heappop(s)
            if s:
                return max(0.0, s[0]._when - self.time())
            return -1.0

    return SteppedLoop


def loop():
    global _loop
    if SteppedLoop is None:
        _define_loop()
    if _loop is None:
        _loop = SteppedLoop()
    return _loop


def recover():
    """After a tick was aborted from outside Python (an interrupt at its deadline, a sandbox denial,
    the memory guard: no finally block ran), the Task whose step was cut short stays current and
    asyncio refuses to step any other. Leaves it, forgets it and returns its call id (-1: it was no
    call's own Task, e.g. a gather's child, which its call's timeout ends; -2: nothing could be
    recovered, and Java resets the loop). Every other Task goes on as before."""
    if _loop is None:
        return -1
    task = _stepping.pop(_loop, None) or asyncio.tasks.current_task(_loop)
    if task is None:
        return -1
    try:
        _leave_original(_loop, task)
    except RuntimeError:
        return -2
    for call_id, t in _calls.items():
        if t is task:
            del _calls[call_id]
            return call_id
    return -1


def reset():
    """Drops the loop and every Task in it (Java failed their calls): the last resort after a cut."""
    global _loop
    _calls.clear()
    del _finished[:]
    _awaits.clear()
    if _loop is not None:
        _stepping.pop(_loop, None)
    _loop = None


def start(call_id, coro):
    """Runs the coroutine of Java's call `call_id` as a Task of this context's loop."""
    task = loop().create_task(coro)
    _calls[call_id] = task
    task.add_done_callback(lambda t, i=call_id: _finished.append(i))


def tick(passes, cancel_ids, resolved):
    """One tick: resolve the Java results that arrived, cancel the calls Java gave up on, run the
    loop. Returns [seconds to the next timer (-1: none, 0: ready now), ended call ids...]."""
    if resolved:
        _resolve(resolved)
    for call_id in cancel_ids:
        task = _calls.get(call_id)
        if task is not None:
            task.cancel()
    lp = loop()
    if lp in _stepping:  # a step cut short that Java has not heard of: it can never end
        recover()
    events._set_running_loop(lp)  # (an aborted tick on this thread never reset it)
    try:
        delay = lp._run_passes(passes)
    finally:
        events._set_running_loop(None)
    out = [delay]
    out.extend(_finished)
    del _finished[:]
    return out


def take(call_id):
    """The outcome of an ended call: [0, result], [1, None] if it was cancelled; its exception
    (with its traceback) is raised."""
    task = _calls.pop(call_id)
    if task.cancelled():
        return [1, None]
    return [0, task.result()]


def forget(call_id):
    task = _calls.pop(call_id, None)
    if task is not None and not task.done():
        task.cancel()


def _resolve(items):
    for item in items:
        fut = _awaits.pop(item[0], None)
        if fut is None or fut.done():
            continue
        kind = item[1]
        if kind == 0:
            fut.set_result(item[2])
        elif kind == 1:
            fut.cancel()
        else:
            fut.set_exception(host_error(item[2], item[3]))


def call_async(bridge, name, args):
    """hzpy.call_async: a Future of the Java function's result. Java answers at once when the
    function did not return a pending CompletionStage; else later, through a tick."""
    global _next_await
    lp = None if _loop is None else events._get_running_loop()
    if lp is None or lp is not _loop:
        raise RuntimeError("hzpy.call_async() needs the event loop hzpy runs: await it in an async def that was"
                           " called through call/callAsync")
    _next_await += 1
    await_id = _next_await
    fut = lp.create_future()
    _awaits[await_id] = fut
    r = bridge("call_async", await_id, name, *args)
    if not r[0]:
        _awaits.pop(await_id, None)
        raise host_error(r[1], r[2])
    if r[1] is not None:  # answered at once: [kind, value, message]
        _resolve([[await_id] + r[1]])
    else:
        fut.add_done_callback(lambda f: f.cancelled() and _await_cancelled(bridge, await_id))
    return fut


def _await_cancelled(bridge, await_id):
    """The awaiting coroutine was cancelled: Java forgets the await and cancels its stage."""
    if _awaits.pop(await_id, None) is not None:
        bridge("call_async_cancel", await_id)


def counts():
    return [len(_calls), len(_awaits), 0 if _loop is None else _loop._live_tasks]
