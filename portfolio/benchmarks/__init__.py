"""
Benchmarks that run against a throwaway database, never the developer's own.

- `data`: a large, deterministic data set built fast (`build_dataset`), for any benchmark.
- `api`: the REST API benchmark behind `python manage.py benchmark_api`, and what every benchmark shares: the
  throwaway database, timing requests in process (`time_requests`, `served_in_process`), the report's first lines.
- `compare`: the comparison benchmark behind `python manage.py benchmark_compare`.
- `imports`: the import benchmark behind `python manage.py benchmark_import`.
- `measure`: the harness that runs a workflow and its floor interleaved in one process, with wall, CPU,
  database-backend CPU and load, and gives their ratios.
"""
