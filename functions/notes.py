"""notes router: personal study notes."""
from __future__ import annotations

from layers.core import db
from layers.http.context import RequestContext
from layers.http.pagination import Page
from layers.http.routing import Router
from layers.schemas.reader import NoteIn, NoteOut, NotePatch, NotesQuery

router = Router("notes")


@router.get("/api/notes", auth="user", query=NotesQuery, response=Page[NoteOut])
def list_notes(ctx: RequestContext, query: NotesQuery) -> dict:
    """The caller's notes, most recently edited first; ``?post_id`` keeps one post's notes."""
    from layers.services import notes

    with db.connection() as conn:
        return notes.list_for(conn, ctx.require_user().id, query.post_id, query)


@router.post("/api/notes", auth="user", body=NoteIn, response=NoteOut, status=201, errors=(404,))
def create_note(ctx: RequestContext, body: NoteIn) -> dict:
    """Write a note, optionally about a published post (404 for an unknown or unpublished one)."""
    from layers.services import notes

    with db.connection() as conn:
        return notes.create(conn, ctx.require_user().id, post_id=body.post_id, title=body.title,
                            content=body.content)


@router.patch("/api/notes/{note_id}", auth="user", body=NotePatch, response=NoteOut, errors=(404,))
def update_note(ctx: RequestContext, note_id: int, body: NotePatch) -> dict:
    """Change the title and/or content of one's own note; another user's note answers 404."""
    from layers.services import notes

    with db.connection() as conn:
        return notes.update(conn, ctx.require_user().id, note_id, body.model_dump(exclude_none=True))


@router.delete("/api/notes/{note_id}", auth="user", status=204, errors=(404,))
def delete_note(ctx: RequestContext, note_id: int) -> None:
    """Delete one's own note; another user's note answers 404."""
    from layers.services import notes

    with db.connection() as conn:
        notes.delete(conn, ctx.require_user().id, note_id)
