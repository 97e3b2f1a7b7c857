"""Reading a batch on a Dask distributed cluster (`ogi batch --scheduler ADDRESS`), past one machine.

``local:N`` starts a LocalCluster of N worker processes on this machine; ``tcp://host:port`` (or any
address Dask's Client takes) joins a running scheduler. Each file is one task: the worker reads it by
path (shared storage) or from its bytes sent with the task (``--send bytes``, the default for a remote
scheduler) and hands back what a local worker does — the encoded row and a one-line error — so the
main process spills, caches and validates exactly as for a local run and the outputs are the same.
A bounded number of tasks is in flight. A task that raises, or whose worker dies more often than the
scheduler allows (``KilledWorker``), costs that file only: a 无法读取 row naming it, not cached.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

LOCAL_PREFIX = "local:"
SEND = ("path", "bytes")
_last: dict[str, int] = {}


class SchedulerError(ValueError):
    """The --scheduler address cannot be used (malformed, Dask not installed, no scheduler there)."""


def last_workers() -> int:
    """Worker threads of the cluster the last run read on (the manifest's `jobs`)."""
    return _last.get("workers", 0)


def parse_local(address: str) -> int | None:
    """N of ``local:N`` (None for another address); a malformed local address is a SchedulerError."""
    if not address.startswith(LOCAL_PREFIX):
        return None
    try:
        workers = int(address[len(LOCAL_PREFIX) :])
    except ValueError:
        workers = 0
    if workers < 1:
        raise SchedulerError(f"{address}: 应为 local:N（N 为进程数，如 local:2） (expected local:N)")
    return workers


def default_send(address: str) -> str:
    """Paths for a cluster on this machine, bytes for a remote one (its workers may not see our disk)."""
    return "path" if address.startswith(LOCAL_PREFIX) else "bytes"


@contextlib.contextmanager
def connect(address: str):
    """A dask.distributed Client for the address, and the cluster it started (closed on exit)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise SchedulerError(
            "--scheduler 需要 Dask：pip install 'ogi-validator[cluster]' (dask[distributed] not installed)"
        ) from None
    workers = parse_local(address)
    cluster = None
    try:
        if workers is not None:
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                silence_logs=50,
            )
            client = Client(cluster)
        else:
            client = Client(address, timeout=30)
    except (OSError, TimeoutError, ValueError) as exc:
        if cluster is not None:
            cluster.close()
        raise SchedulerError(f"{address}: 无法连接 Dask 调度器 ({type(exc).__name__}: {exc})") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def remote_read(path: str, display: str, data: bytes | None) -> tuple:
    """The task a cluster worker runs: pool.read_task without the cache, the row sent back with its
    cell map (it is the cache entry, which the main process writes: a worker may not see --out), within
    the bounds a pool worker has (the same OGI_MAX_MEMORY_MB and OGI_MAX_SECONDS): a file over them is a
    transient one-line error, as in a local run."""
    from validator.batch.pool import MEMORY_MB, SECONDS, _limit, _shown, out_of_memory, read_task, timed_out

    name = _shown(display or path)
    seconds = _limit("OGI_MAX_SECONDS", SECONDS)
    started = time.perf_counter()
    _bound_memory(_limit("OGI_MAX_MEMORY_MB", MEMORY_MB))
    try:
        with _deadline(seconds):
            return read_task(path, None, True, display, data)
    except RemoteTimeout:
        return timed_out(name, seconds, started)
    except MemoryError:
        return out_of_memory(name, started)


class RemoteTimeout(BaseException):
    """Raised in a cluster worker's task thread at its deadline (a BaseException, as pool.FileTimeout)."""


_bounded: set[int] = set()  # processes whose address space is already bounded


def _bound_memory(budget_mb: int) -> None:
    """Once per worker process: its address space bounded to what it maps now plus the budget (as the
    local pool bounds each worker), so a file that needs more fails with MemoryError in its own task."""
    if os.getpid() in _bounded:
        return
    _bounded.add(os.getpid())
    try:
        import resource

        with open("/proc/self/statm") as fh:
            mapped = int(fh.read().split()[0]) * resource.getpagesize()
        limit = mapped + budget_mb * 1024 * 1024
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard == resource.RLIM_INFINITY or limit < hard:
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    except (ImportError, OSError, ValueError):
        pass  # not Linux: no memory bound


@contextlib.contextmanager
def _deadline(seconds: int):
    """The task's time bound in a worker thread, where SIGALRM cannot be used (its handler runs in the
    main thread, the worker's event loop): at the deadline a timer raises RemoteTimeout in this thread
    (at its next Python instruction); and a CPU limit of the process for a loop in C code (the kernel's
    SIGXCPU ends the worker: the scheduler reports it, and the file gets a `worker killed` row)."""
    import ctypes

    target = threading.get_ident()
    lock = threading.Lock()
    live = [True]

    def expire() -> None:
        with lock:
            if live[0]:
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(target), ctypes.py_object(RemoteTimeout)
                )

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    restore = _cpu_limit(seconds)
    timer.start()
    try:
        yield
    finally:
        try:  # the time-out may arrive here, just as the file is done: the CPU limit is restored anyway
            with lock:
                live[0] = False
                timer.cancel()
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(target), None)  # none pending
        finally:
            restore()


_CPU = threading.Lock()
_cpu_files: list = []  # the files of this process within a CPU limit now (several with --nthreads > 1)
_cpu_original: list = []  # the limit the process had before the first of them


def _cpu_limit(seconds: int):
    """The process's CPU soft limit set to what it has used plus ``seconds``; returns what restores it.
    Files read at once by threads of one worker share the process's limit: each only raises it, and the
    limit the process had is put back when the last of them is done (restoring each file's "before" would
    leave an earlier file's limit in place when files finish in another order than they started)."""
    try:
        import resource

        with _CPU:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            before = resource.getrlimit(resource.RLIMIT_CPU)
            soft = int(usage.ru_utime + usage.ru_stime) + 1 + seconds + 2
            if before[1] != resource.RLIM_INFINITY and soft >= before[1]:
                return lambda: None
            if not _cpu_files:
                _cpu_original[:] = [before]
            elif before[0] != resource.RLIM_INFINITY:
                soft = max(soft, before[0])  # never shorten another file's budget
            resource.setrlimit(resource.RLIMIT_CPU, (soft, before[1]))
            token = object()
            _cpu_files.append(token)
    except (ImportError, OSError, ValueError):
        return lambda: None

    def restore() -> None:
        with _CPU:
            _cpu_files.remove(token)
            if not _cpu_files:
                with contextlib.suppress(OSError, ValueError):
                    resource.setrlimit(resource.RLIMIT_CPU, _cpu_original[0])

    return restore


def on_cluster(address: str, send: str | None = None):
    """The ``remote`` reader of pool.read_all for this scheduler address."""

    def remote(items, todo, finished, cache_file, keep_cells) -> None:
        read_on_cluster(items, todo, address, send, finished, cache_file, keep_cells)

    return remote


def read_on_cluster(
    items, todo: list[int], address: str, send: str | None, finished, cache_file, keep_cells: bool
) -> None:
    """Every file of ``todo`` read on the cluster; ``finished(k, result)`` as each comes back, after its
    cache entry is written (``cache_file(k)``: where, or None)."""
    from collections import deque

    from distributed import as_completed
    from distributed.client import FutureCancelledError

    from validator.batch.cache import dumps, store_bytes
    from validator.batch.pool import is_transient

    def done(k: int, result: tuple) -> None:
        payload, error = result[0], result[1]
        where = cache_file(k)
        if where and not is_transient(error):
            with contextlib.suppress(OSError, TypeError, ValueError):
                store_bytes(Path(where), payload if payload is not None else dumps(None, error, None))
        finished(k, result)

    send = send or default_send(address)
    if send not in SEND:
        raise SchedulerError(f"--send {send}: 应为 path 或 bytes")
    with connect(address) as client:
        threads = sum(client.nthreads().values()) or 1
        _last["workers"] = threads
        queue = deque(todo)
        window = threads * 8
        pending: dict = {}
        completed = as_completed()

        def submit() -> None:
            while queue and len(pending) < window:
                k = queue.popleft()
                item = items[k]
                try:
                    # a zip member's extracted copy exists only here: always sent as bytes
                    inline = send == "bytes" or "!/" in item.input.display
                    data = Path(item.input.path).read_bytes() if inline else None
                except OSError as exc:
                    name = Path(item.input.display).name
                    finished(k, (None, f"{name}: 无法读取文件 ({exc.strerror or exc})", 0.0, None))
                    continue
                future = client.submit(
                    remote_read,
                    str(item.input.path),
                    item.input.display,
                    data,
                    key=f"ogi-read-{k}-{item.input.digest or ''}",
                    pure=False,
                    retries=0,
                )
                pending[future] = k
                completed.add(future)

        try:
            submit()
            for future in completed:
                k = pending.pop(future)
                try:
                    result = future.result()
                except (Exception, FutureCancelledError) as exc:  # noqa: BLE001 - this file only
                    result = (None, _failure(items[k].input.display, exc), 0.0, None)
                done(k, result)
                future.release()
                submit()
        except BaseException:
            with contextlib.suppress(Exception):
                client.cancel(list(pending))
            raise


def _failure(display: str, exc: BaseException) -> str:
    """The one-line error of a file whose task failed on the cluster (a dead worker is transient)."""
    from validator.batch.pool import _shown

    name = _shown(display)
    if type(exc).__name__ == "KilledWorker":
        return f"{name}: 读取进程异常退出（集群工作进程多次退出，可能内存不足） (worker killed)"
    return f"{name}: 读取失败 ({type(exc).__name__})"
