"""``python -m benchmarks``: the benchmark entry (benchmarks/run.py)."""

from benchmarks.run import main

main()
