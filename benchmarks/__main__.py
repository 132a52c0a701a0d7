"""``python -m benchmarks`` (``make bench``): run every benchmark in turn; each prints its figures."""
from benchmarks import cold_start, content_scale, floor, hybrid_scale, leaderboard, sandbox, search_quality, tasks_throughput

if __name__ == "__main__":
    cold_start.main([])
    floor.main([])
    content_scale.main([])
    tasks_throughput.main([])
    sandbox.main([])
    leaderboard.main([])
    search_quality.main([])
    hybrid_scale.main([])
