"""veoui's performance benches: `make bench` runs them all (bench/run.py) and prints one table."""
