"""``python -m benchmarks`` (``make bench``): run every benchmark in turn."""
from benchmarks import tasks_throughput

if __name__ == "__main__":
    tasks_throughput.main([])
