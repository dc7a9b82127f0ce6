"""
Benchmarks that run against a throwaway database, never the developer's own.

- `data`: a large, deterministic data set built fast (`build_dataset`), for any benchmark.
- `api`: the REST API benchmark behind `python manage.py benchmark_api`.
- `compare`: the comparison benchmark behind `python manage.py benchmark_compare`.
"""
