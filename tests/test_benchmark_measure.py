"""
The measuring harness the benchmarks share: what it can promise whatever the machine's speed. The callables
run interleaved in one process, the set-up runs untimed before each, and every ratio is taken from the column
it names. No time is asserted.
"""

import argparse

import pytest
from django.db import connection

from portfolio.benchmarks.measure import Measurements
from portfolio.benchmarks.measure import Run
from portfolio.benchmarks.measure import add_rounds_argument
from portfolio.benchmarks.measure import database_cpu_seconds
from portfolio.benchmarks.measure import format_table
from portfolio.benchmarks.measure import measure


def run(name, *, round=1, wall, process_cpu, database_cpu=None):
    return Run(
        name=name,
        round=round,
        wall=wall,
        process_cpu=process_cpu,
        database_cpu=database_cpu,
        load_before=1.0,
        load_after=2.0,
    )


def test_it_interleaves_the_callables_and_alternates_their_order(db):
    calls = []
    results = measure(
        {"floor": lambda: calls.append("floor"), "workflow": lambda: calls.append("workflow")},
        rounds=3,
        before_each=lambda name: calls.append(f"reset {name}"),
    )
    assert calls == [
        "reset floor",
        "floor",
        "reset workflow",
        "workflow",
        "reset workflow",
        "workflow",
        "reset floor",
        "floor",
        "reset floor",
        "floor",
        "reset workflow",
        "workflow",
    ]
    assert [(one.round, one.name) for one in results.runs] == [
        (1, "floor"),
        (1, "workflow"),
        (2, "workflow"),
        (2, "floor"),
        (3, "floor"),
        (3, "workflow"),
    ]


def test_on_sqlite_the_database_cpu_is_part_of_the_process_figure(db):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only: it runs inside this process")
    results = measure({"sum": lambda: sum(range(10_000))}, rounds=2)
    assert [one.database_cpu for one in results.runs] == [None, None]
    assert all(one.cpu == one.process_cpu for one in results.runs)
    assert all(one.wall >= 0 and one.load_before is not None for one in results.runs)


def test_on_postgresql_the_backend_cpu_is_read_from_its_process(db):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no backend process")
    before = database_cpu_seconds()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM generate_series(1, 2000000)")
    after = database_cpu_seconds()
    assert before is not None and after > before


def test_it_refuses_zero_rounds():
    with pytest.raises(ValueError):
        measure({"floor": lambda: None}, rounds=0)


def test_cpu_seconds_add_the_database_backend_to_the_process():
    assert run("workflow", wall=9.0, process_cpu=2.0, database_cpu=1.5).cpu == 3.5
    assert run("workflow", wall=9.0, process_cpu=2.0).cpu == 2.0


def test_ratios_come_from_the_medians_of_the_named_column():
    results = Measurements(
        runs=[
            run("floor", round=1, wall=10.0, process_cpu=1.0, database_cpu=1.0),
            run("workflow", round=1, wall=30.0, process_cpu=5.0, database_cpu=1.0),
            run("workflow", round=2, wall=12.0, process_cpu=3.0, database_cpu=1.0),
            run("floor", round=2, wall=2.0, process_cpu=1.0, database_cpu=3.0),
            run("floor", round=3, wall=6.0, process_cpu=2.0, database_cpu=1.0),
            run("workflow", round=3, wall=18.0, process_cpu=4.0, database_cpu=2.0),
        ]
    )
    # Medians: floor wall 6, CPU 3 (2, 4, 3); workflow wall 18, CPU 5 (6, 4, 6 -> sorted 4, 6, 6: 6).
    assert results.median("floor", "wall") == 6.0
    assert results.median("floor", "cpu") == 3.0
    assert results.median("workflow", "cpu") == 6.0
    assert results.ratio("workflow", "floor", "wall") == 3.0
    assert results.ratio("workflow", "floor", "cpu") == 2.0
    assert results.ratio("workflow", "floor", "process_cpu") == 4.0 / 1.0
    assert results.min("workflow", "wall") == 12.0
    with pytest.raises(ValueError):
        results.median("floor", "load_before")


def test_the_table_prints_both_ratios():
    results = Measurements(
        runs=[
            run("floor", wall=2.0, process_cpu=1.0),
            run("workflow", wall=5.0, process_cpu=3.0),
        ]
    )
    lines = format_table(results, floor="floor", workflow="workflow", in_process=True)
    assert lines[1].split() == ["floor", "2.000", "2.000", "1.000", "1.000", "-", "1.0", "->", "2.0"]
    assert lines[2].split() == ["workflow", "5.000", "5.000", "3.000", "3.000", "-", "1.0", "->", "2.0"]
    assert lines[-1] == "  Ratio workflow / floor: 3.00x by CPU seconds, 2.50x by wall time"
    assert any("inside this process (SQLite)" in line for line in lines)


def test_commands_get_a_rounds_option():
    parser = argparse.ArgumentParser()
    add_rounds_argument(parser, default=5)
    assert parser.parse_args([]).rounds == 5
    assert parser.parse_args(["--rounds", "2"]).rounds == 2
