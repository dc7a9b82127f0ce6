"""
Benchmarks that run against a throwaway database, never the developer's own.

- `data`: a large, deterministic data set built fast (`build_dataset`), for any benchmark.
- `api`: the REST API benchmark behind `python manage.py benchmark_api`, and what every benchmark shares: the
  throwaway database, timing requests in process (`time_requests`, `served_in_process`), the report's first lines.
- `compare`: the comparison benchmark behind `python manage.py benchmark_compare`.
"""
