"""The admin's import page: Markdown files and their cover images, each imported alone."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from tempfile import TemporaryDirectory

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from ..content import ContentError, ImportDocument, parse_import_document
from ..images import (
    ImageRejected,
    image_check_size,
)
from ..models import Article
from ..services import article_import


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".md,.markdown,image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        items = data if isinstance(data, list | tuple) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


@dataclass(frozen=True)
class ImportOutcome:
    file: str
    result: str  # created, updated, refused or ignored
    detail: str = ""
    article: Article | None = None


def _would_publish(document: ImportDocument) -> bool:
    """True if importing it publishes an article or changes one already published."""
    if document.meta["status"] == Article.Status.PUBLISHED:
        return True
    return Article.objects.filter(
        slug=document.meta["slug"], status=Article.Status.PUBLISHED
    ).exists()


def _is_markdown(name: str) -> bool:
    return name.lower().endswith((".md", ".markdown"))


class MarkdownImportForm(forms.Form):
    files = MultipleFileField(
        label="Files",
        help_text="One or more Markdown files in the import format, with the cover images "
        "they name, chosen together.",
    )

    def import_articles(self, *, user, may_publish: bool = True) -> list[ImportOutcome]:
        """Import each Markdown file on its own: one refused file never stops the others.

        Without `may_publish` (an author), a file that would publish an article, or change
        one already published, is refused.
        """
        uploads = self.cleaned_data["files"]
        images = {upload.name: upload for upload in uploads if not _is_markdown(upload.name)}
        used: set[str] = set()
        outcomes = [
            self._import_one(upload, images=images, used=used, user=user, may_publish=may_publish)
            for upload in uploads
            if _is_markdown(upload.name)
        ]
        outcomes += [
            ImportOutcome(name, "ignored", "no Markdown file names it as its cover")
            for name in sorted(images.keys() - used)
        ]
        return outcomes

    def _import_one(
        self, upload, *, images: dict, used: set[str], user, may_publish: bool
    ) -> ImportOutcome:
        if upload.size > settings.ARTICLE_IMPORT_MAX_BYTES:
            limit = settings.ARTICLE_IMPORT_MAX_BYTES // 1024
            return ImportOutcome(upload.name, "refused", f"the file is larger than {limit} KB")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            return ImportOutcome(upload.name, "refused", "the file is not UTF-8 text")
        try:
            document = parse_import_document(text)
            if not may_publish and _would_publish(document):
                return ImportOutcome(
                    upload.name,
                    "refused",
                    "only an editor can publish: import it with status: draft and submit it "
                    "for review (an article already published is changed by an editor)",
                )
            with TemporaryDirectory() as folder:
                if document.meta["cover"]:
                    used.add(self._place_cover(document, images, Path(folder)))
                result = article_import(
                    document=document,
                    source_dir=Path(folder),
                    comment=f"Imported from {upload.name}.",
                    user=user,
                )
        except ContentError as error:
            return ImportOutcome(upload.name, "refused", str(error))
        except IntegrityError:
            return ImportOutcome(
                upload.name, "refused", "it conflicts with an existing article; nothing was saved"
            )
        article = result.article
        return ImportOutcome(
            upload.name, "created" if result.created else "updated", article.slug, article
        )

    @staticmethod
    def _place_cover(document: ImportDocument, images: dict, folder: Path) -> str:
        """Write the uploaded cover where the document expects it; return its name.

        The import service checks and cleans it, as it does for files on disk.
        """
        cover, line = document.meta["cover"], document.line_of("cover")
        wanted = PurePosixPath(cover).name
        name = next((n for n in images if n == wanted), None) or next(
            (n for n in images if n.lower() == wanted.lower()), None
        )
        if name is None:
            raise ContentError(
                f"the cover image {wanted} (cover: {cover}) was not among the files chosen: "
                "choose the Markdown file and its cover image together, or remove the "
                "cover: line",
                line,
            )
        upload = images[name]
        try:
            image_check_size(size=upload.size)
        except ImageRejected as error:
            raise ContentError(f"cover image {name} cannot be used: {error}", line) from None
        upload.seek(0)
        target = folder / cover
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(upload.read())
        return name
