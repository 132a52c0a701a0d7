"""The XP leaderboards: Redis sorted sets, PostgreSQL the source of truth.

Boards: all-time (``lb:xp:all``) and one per ISO week in UTC (``lb:xp:week:2026-W49``, expiring a
week after the week ends). Members are zero-padded user ids, so Redis orders equal scores the
way the PostgreSQL fallback does (``id DESC``) and both answer the same.

Writes happen after the XP transaction commits: ``awards.award`` enqueues ``leaderboard_sync`` in its
transaction, and the task (run by the worker once the award is committed) writes the user's
committed totals with ``ZADD GT``; absolute values make a redelivered or reordered task
harmless. A board key exists only as a complete board: a sync that finds it missing (first use,
Redis restarted) rebuilds it from PostgreSQL instead of creating a partial one, and readers fall
back to PostgreSQL until it exists. ``rebuild`` (the reconcile schedule) loads each board into a
temporary key and swaps it in with ``RENAME`` in one ``MULTI``, so a reader sees the old board
or the new one, never half of one. An award whose sync lands between a rebuild's read of
PostgreSQL and its swap is repaired by the user's next sync or the next reconcile.

With Redis unreachable every read is served by PostgreSQL (same answer, slower).
"""
from __future__ import annotations

import functools
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, Literal

from layers.core.db import Db
from layers.core.logging import get_logger
from layers.tasks import outbox

if TYPE_CHECKING:
    from redis import Redis

log = get_logger("leaderboard")
Period = Literal["all", "week"]
ALL_KEY = "lb:xp:all"
_WEEK_PREFIX = "lb:xp:week:"
_BATCH = 5000
_LOCK_SECONDS = 120


@dataclass(frozen=True)
class Board:
    key: str
    start: datetime | None = None  # a weekly board's window, UTC
    end: datetime | None = None

    @property
    def expires_at(self) -> datetime | None:
        return self.end + timedelta(days=7) if self.end else None


def week_board(at: datetime) -> Board:
    year, week, _ = at.astimezone(timezone.utc).isocalendar()
    return week_named(f"{year}-W{week:02d}")


def week_named(name: str) -> Board:
    year, week = name.split("-W")
    monday = date.fromisocalendar(int(year), int(week), 1)
    start = datetime.combine(monday, time(0), timezone.utc)
    return Board(_WEEK_PREFIX + name, start, start + timedelta(days=7))


def board_for(period: Period, at: datetime) -> Board:
    return Board(ALL_KEY) if period == "all" else week_board(at)


def member(user_id: int) -> str:
    return f"{user_id:019d}"


def queue_sync(conn: Db, user_id: int, at: datetime) -> None:
    """Ask for the user's boards to be updated once the caller's transaction commits."""
    week = week_board(at).key.removeprefix(_WEEK_PREFIX)
    outbox.enqueue(conn, "leaderboard_sync", {"user_id": user_id, "week": week})


# --- reading -----------------------------------------------------------------------------------

def top(conn: Db, redis: Redis, period: Period, limit: int, at: datetime) -> dict[str, Any]:
    """The first ``limit`` users with their competition rank (equal XP, equal rank)."""
    board = board_for(period, at)
    scores = _guarded(lambda: _redis_top(redis, board, limit))
    source = "redis"
    if scores is None:
        scores, source = _pg_top(conn, board, limit), "postgres"
    names = _names(conn, [uid for uid, _ in scores])
    items: list[dict[str, Any]] = []
    rank = 0
    for position, (uid, xp) in enumerate(scores, start=1):
        if not items or xp != items[-1]["xp"]:
            rank = position
        items.append({"user_id": uid, "name": names.get(uid, ""), "xp": xp, "rank": rank})
    return {"period": period, "source": source, "items": items}


def rank_of(conn: Db, redis: Redis, user_id: int, period: Period, at: datetime) -> int:
    """1 + the number of users with more XP on the board (users without XP rank last, together)."""
    board = board_for(period, at)
    ahead: int | None = _guarded(lambda: _redis_ahead(redis, board, user_id))
    if ahead is None:
        ahead = _pg_ahead(conn, board, user_id)
    return ahead + 1


def _redis_top(redis: Redis, board: Board, limit: int) -> list[tuple[int, int]] | None:
    pipe = redis.pipeline(transaction=False)
    pipe.exists(board.key)
    pipe.zrevrange(board.key, 0, limit - 1, withscores=True)
    exists, rows = pipe.execute()
    if not exists:
        return None
    return [(int(m), int(score)) for m, score in rows]


def _redis_ahead(redis: Redis, board: Board, user_id: int) -> int | None:
    pipe = redis.pipeline(transaction=False)
    pipe.exists(board.key)
    pipe.zscore(board.key, member(user_id))
    exists, score = pipe.execute()
    if not exists:
        return None
    ahead: Any = redis.zcount(board.key, f"({int(score or 0)}", "+inf")
    return int(ahead)


_WEEK_TOTALS = ("SELECT user_id AS id, sum(amount)::bigint AS xp FROM xp_events"
                " WHERE created_at >= %(start)s AND created_at < %(end)s GROUP BY user_id")


def _board_sql(board: Board) -> str:
    """One row per user on the board: ``id, xp`` with ``xp > 0``."""
    if board.start is None:
        return "SELECT id, xp FROM users WHERE xp > 0"
    return f"SELECT id, xp FROM ({_WEEK_TOTALS}) AS t WHERE xp > 0"


def _window(board: Board) -> dict[str, Any]:
    return {"start": board.start, "end": board.end}


def _pg_top(conn: Db, board: Board, limit: int) -> list[tuple[int, int]]:
    rows = conn.execute(f"SELECT id, xp FROM ({_board_sql(board)}) AS b ORDER BY xp DESC, id DESC"
                        " LIMIT %(limit)s", {**_window(board), "limit": limit}).fetchall()
    return [(int(r["id"]), int(r["xp"])) for r in rows]


def _pg_ahead(conn: Db, board: Board, user_id: int) -> int:
    row = conn.execute(
        f"WITH b AS ({_board_sql(board)})"
        " SELECT count(*) AS n FROM b WHERE xp > coalesce((SELECT xp FROM b WHERE id = %(uid)s), 0)",
        {**_window(board), "uid": user_id}).fetchone()
    return int(row["n"]) if row else 0


def _names(conn: Db, user_ids: list[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = conn.execute("SELECT id, name FROM users WHERE id = ANY(%s)", (user_ids,)).fetchall()
    return {int(r["id"]): r["name"] for r in rows}


# --- writing -----------------------------------------------------------------------------------

def sync_user(conn: Db, redis: Redis, user_id: int, week: str) -> None:
    """Write the user's committed totals to the all-time board and the board of ``week``."""
    for board in (Board(ALL_KEY), week_named(week)):
        row = conn.execute(f"SELECT xp FROM ({_board_sql(board)}) AS b WHERE id = %(uid)s",
                           {**_window(board), "uid": user_id}).fetchone()
        total = int(row["xp"]) if row else 0
        _guarded(functools.partial(_write_one, conn, redis, board, user_id, total))


def _write_one(conn: Db, redis: Redis, board: Board, user_id: int, xp: int) -> bool:
    if not redis.exists(board.key):
        # One rebuild at a time; it reads this user's committed total along with everyone's.
        lock = f"{board.key}:lock"
        if redis.set(lock, "1", nx=True, ex=_LOCK_SECONDS):
            try:
                rebuild_board(conn, redis, board)
            finally:
                redis.delete(lock)
        return True
    if xp > 0:
        redis.zadd(board.key, {member(user_id): xp}, gt=True)
    return True


def rebuild(conn: Db, redis: Redis, at: datetime) -> dict[str, int]:
    """Rebuild the all-time board and this week's from PostgreSQL; the members of each."""
    return {"all_members": rebuild_board(conn, redis, Board(ALL_KEY)),
            "week_members": rebuild_board(conn, redis, week_board(at))}


def rebuild_board(conn: Db, redis: Redis, board: Board) -> int:
    """Load ``board`` into a temporary key, then swap it in atomically; the number of members."""
    temp = f"{board.key}:rebuild:{uuid.uuid4().hex}"
    loaded = 0
    try:
        for chunk in _chunks(conn, board):
            pipe = redis.pipeline(transaction=False)
            pipe.zadd(temp, chunk)
            pipe.expire(temp, _LOCK_SECONDS * 5)  # a crashed rebuild leaves nothing behind for long
            pipe.execute()
            loaded += len(chunk)
        swap = redis.pipeline(transaction=True)
        if loaded:
            swap.rename(temp, board.key)  # RENAME keeps the temporary TTL: set the board's own
            if board.expires_at is not None:
                swap.expireat(board.key, board.expires_at)
            else:
                swap.persist(board.key)
        else:
            swap.delete(board.key)
        swap.execute()
    finally:
        if not loaded:
            redis.delete(temp)
    return loaded


def _chunks(conn: Db, board: Board) -> Iterator[dict[str, int]]:
    with conn.cursor(name=f"lb_{uuid.uuid4().hex[:12]}") as cursor:
        cursor.itersize = _BATCH
        cursor.execute(_board_sql(board), _window(board))
        chunk: dict[str, int] = {}
        for row in cursor:
            chunk[member(int(row["id"]))] = int(row["xp"])
            if len(chunk) >= _BATCH:
                yield chunk
                chunk = {}
        if chunk:
            yield chunk


def _guarded(read: Any) -> Any:
    """Run a Redis operation; None (and a warning) when Redis fails: PostgreSQL answers instead."""
    from redis.exceptions import RedisError

    try:
        return read()
    except RedisError as exc:
        log.warning("leaderboard: Redis unavailable, using PostgreSQL", extra={"error": type(exc).__name__})
        return None
