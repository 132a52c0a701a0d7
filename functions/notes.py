"""notes router: personal study notes.

The model router to copy: each handler names what it needs (``db``, ``user``, ``body``,
``query``, path parameters) and makes one service call; the route decorator owns the
transaction, authentication, validation and the response shape.
"""
from __future__ import annotations

from typing import Any

from layers.core.db import Db
from layers.core.identity import CurrentUser
from layers.core.pagination import Page
from layers.http.routing import Router
from layers.schemas.notes import NoteIn, NoteOut, NotePatch, NotesQuery
from layers.services import notes

router = Router("notes")


@router.get("/api/notes", auth="user", query=NotesQuery, response=Page[NoteOut])
def list_notes(db: Db, user: CurrentUser, query: NotesQuery) -> dict[str, Any]:
    """The caller's notes, most recently edited first; ``?post_id`` keeps one post's notes."""
    return notes.list_for(db, user.id, query.post_id, query)


@router.post("/api/notes", auth="user", body=NoteIn, response=NoteOut, status=201, errors=(404,))
def create_note(db: Db, user: CurrentUser, body: NoteIn) -> dict[str, Any]:
    """Write a note, optionally about a published post (404 for an unknown or unpublished one)."""
    return notes.create(db, user.id, body)


@router.patch("/api/notes/{note_id}", auth="user", body=NotePatch, response=NoteOut, errors=(404,))
def update_note(db: Db, user: CurrentUser, note_id: int, body: NotePatch) -> dict[str, Any]:
    """Change the title and/or content of one's own note; another user's note answers 404."""
    return notes.update(db, user.id, note_id, body)


@router.delete("/api/notes/{note_id}", auth="user", status=204, errors=(404,))
def delete_note(db: Db, user: CurrentUser, note_id: int) -> None:
    """Delete one's own note; another user's note answers 404."""
    notes.delete(db, user.id, note_id)
