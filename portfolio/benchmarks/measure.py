"""
Measure named callables against each other in one process: the harness every benchmark shares.

A ratio between a workflow and its floor means something only when both ran under the same conditions. Two
runs in two processes at two moments on a shared machine put the load of that moment into the ratio. So the
callables run here interleaved, in ONE process, for several rounds (round 1: floor, workflow; round 2:
workflow, floor; ...: the order alternates so neither always runs on a warm cache), and every run records:

- wall seconds (`time.perf_counter`);
- process CPU seconds (`time.process_time`: user + system time of this process);
- database CPU seconds: on PostgreSQL, the user + system time of this connection's backend process, read
  from `/proc/<pg_backend_pid()>/stat` (the server runs on the same machine; elsewhere the figure is left
  out). SQLite runs inside this process, so its CPU is already part of the process figure and this column
  stays empty;
- the one-minute load average before and after.

Use:

    from portfolio.benchmarks.measure import measure, format_table

    results = measure({"floor": write_raw, "workflow": import_it}, rounds=3, before_each=empty_tables)
    for line in format_table(results, floor="floor", workflow="workflow"):
        print(line)
    results.ratio("workflow", "floor", "cpu")  # median CPU (process + database) over median CPU

`before_each(name)` runs untimed before every run (to empty tables, say). A command adds the `--rounds`
option with `add_rounds_argument(parser)`.
"""

import os
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection as default_connection

DEFAULT_ROUNDS = 3
COLUMNS = ("wall", "cpu", "process_cpu", "database_cpu")


def load_average() -> float | None:
    """The one-minute load average, where the system has one."""
    return os.getloadavg()[0] if hasattr(os, "getloadavg") else None


@dataclass(frozen=True)
class Run:
    """One timed run of one callable."""

    name: str
    round: int
    wall: float
    process_cpu: float
    database_cpu: float | None  # None: SQLite (in process) or a database server on another machine
    load_before: float | None
    load_after: float | None

    @property
    def cpu(self) -> float:
        """Every CPU second the run cost on this machine: the process's and the database backend's."""
        return self.process_cpu + (self.database_cpu or 0.0)


@dataclass
class Measurements:
    runs: list[Run] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return list(dict.fromkeys(run.name for run in self.runs))

    def values(self, name: str, column: str) -> list[float]:
        if column not in COLUMNS:
            raise ValueError(f"Unknown column {column!r}; one of {', '.join(COLUMNS)}.")
        found = [getattr(run, column) for run in self.runs if run.name == name]
        return [value for value in found if value is not None]

    def median(self, name: str, column: str) -> float | None:
        values = self.values(name, column)
        return statistics.median(values) if values else None

    def min(self, name: str, column: str) -> float | None:
        values = self.values(name, column)
        return min(values) if values else None

    def ratio(self, workflow: str, floor: str, column: str) -> float | None:
        """Median `column` of `workflow` over the median of `floor`."""
        top, bottom = self.median(workflow, column), self.median(floor, column)
        return top / bottom if top is not None and bottom else None

    @property
    def load_range(self) -> tuple[float, float] | None:
        loads = [load for run in self.runs for load in (run.load_before, run.load_after) if load is not None]
        return (min(loads), max(loads)) if loads else None


def database_cpu_seconds(connection=default_connection) -> float | None:
    """
    CPU seconds (user + system) used so far by the database backend serving `connection`: PostgreSQL only,
    and only when its server runs on this machine (the backend's /proc entry is readable). None otherwise.
    """
    if connection.vendor != "postgresql":
        return None
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # Fields after the command name (which sits in parentheses and may hold spaces): utime and stime are
    # fields 14 and 15 of the whole line, in clock ticks.
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run_once(name: str, function: Callable[[], object], *, round: int, connection=default_connection) -> Run:
    load_before = load_average()
    database_before = database_cpu_seconds(connection)
    cpu_before = time.process_time()
    started = time.perf_counter()
    function()
    wall = time.perf_counter() - started
    process_cpu = time.process_time() - cpu_before
    database_after = database_cpu_seconds(connection)
    database_cpu = None if database_before is None or database_after is None else database_after - database_before
    return Run(
        name=name,
        round=round,
        wall=wall,
        process_cpu=process_cpu,
        database_cpu=database_cpu,
        load_before=load_before,
        load_after=load_average(),
    )


def measure(
    callables: Mapping[str, Callable[[], object]],
    *,
    rounds: int = DEFAULT_ROUNDS,
    before_each: Callable[[str], object] | None = None,
    connection=default_connection,
    log: Callable[[str], object] | None = None,
) -> Measurements:
    """
    Run every callable once per round, interleaved: in the given order in odd rounds, reversed in even
    ones. `before_each(name)` runs untimed before each run.
    """
    if rounds < 1:
        raise ValueError("At least one round.")
    measurements = Measurements()
    order = list(callables)
    for number in range(1, rounds + 1):
        for name in order if number % 2 else reversed(order):
            if before_each is not None:
                before_each(name)
            run = run_once(name, callables[name], round=number, connection=connection)
            measurements.runs.append(run)
            if log is not None:
                log(f"  round {number}/{rounds}: {name} {run.wall:.2f} s wall, {run.cpu:.2f} s CPU")
    return measurements


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _load(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def format_table(
    measurements: Measurements, *, floor: str | None = None, workflow: str | None = None, in_process: bool = False
) -> list[str]:
    """
    The table: per callable, median and min of wall, CPU (process + database) and database CPU seconds, and
    the load before the first and after the last of its runs; then the workflow/floor ratios from CPU and
    from wall seconds. `in_process` says the database ran inside this process (SQLite).
    """
    names = measurements.names
    width = max(len(name) for name in names) if names else 4
    lines = [
        f"  {'':{width}}  {'wall median':>11}  {'wall min':>9}  {'CPU median':>10}  {'CPU min':>8}"
        f"  {'DB CPU median':>13}  {'load':>10}",
    ]
    for name in names:
        runs = [run for run in measurements.runs if run.name == name]
        load = f"{_load(runs[0].load_before)} -> {_load(runs[-1].load_after)}"
        lines.append(
            f"  {name:{width}}  {_seconds(measurements.median(name, 'wall')):>11}"
            f"  {_seconds(measurements.min(name, 'wall')):>9}  {_seconds(measurements.median(name, 'cpu')):>10}"
            f"  {_seconds(measurements.min(name, 'cpu')):>8}"
            f"  {_seconds(measurements.median(name, 'database_cpu')):>13}  {load:>10}"
        )
    rounds = max((run.round for run in measurements.runs), default=0)
    lines.append(f"  Seconds; {rounds} interleaved rounds in one process.")
    if in_process:
        lines.append("  The database runs inside this process (SQLite): its CPU is in the CPU column, DB CPU is empty.")
    else:
        lines.append("  CPU = this process + the database backend's process (DB CPU, from /proc).")
    if floor is not None and workflow is not None:
        by_cpu = measurements.ratio(workflow, floor, "cpu")
        by_wall = measurements.ratio(workflow, floor, "wall")
        lines.append(
            f"  Ratio {workflow} / {floor}: {'-' if by_cpu is None else f'{by_cpu:.2f}x'} by CPU seconds,"
            f" {'-' if by_wall is None else f'{by_wall:.2f}x'} by wall time"
        )
    return lines


def add_rounds_argument(parser, default: int = DEFAULT_ROUNDS) -> None:
    parser.add_argument(
        "--rounds",
        type=int,
        default=default,
        help=f"Interleaved rounds of every measured callable, in one process (default {default}).",
    )
