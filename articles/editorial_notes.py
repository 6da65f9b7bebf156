"""Editorial notes: private notes between editors on an article, kept out of every reader's page,
feed, sitemap, search and revision (articles.models.EditorialNote)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import QuerySet

from .models import Article, EditorialNote

NOTE_MAX_LENGTH = 5000


def editorial_note_add(
    *, article: Article, author: AbstractBaseUser | None, text: str
) -> EditorialNote | None:
    """Add a note to the article; blank text adds nothing."""
    text = text.strip()
    if not text:
        return None
    return EditorialNote.objects.create(article=article, author=author, text=text)


def editorial_notes_for(*, article: Article) -> QuerySet[EditorialNote]:
    """The article's notes, newest first, with their authors (one query)."""
    return EditorialNote.objects.filter(article=article).select_related("author")
