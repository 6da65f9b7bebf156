"""Admin forms: the article form, its section formset, tags with autocomplete, the import form."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from tempfile import TemporaryDirectory

import reversion
from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminFileWidget, get_select2_language
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.db import IntegrityError
from django.urls import reverse
from django.utils import timezone
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

from .content import ContentError, parse_import_document
from .images import (
    ACCEPT_ATTRIBUTE,
    ImageRejected,
    image_check_size,
    image_clean,
)
from .models import Article, Section
from .services import article_import

STANDFIRST_TARGET = 160

# What the section editor offers; Section.save() sanitises with the same allow-list.
SECTION_EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Code": True,
    "HardBreak": True,
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "NoSpellCheck": False,  # editors write prose: let the browser check their spelling
}
_EMPTY_HTML = re.compile(r"^\s*(<p>\s*(<br\s*/?>)?\s*</p>\s*)*$")


# ---------------------------------------------------------------------------
# Cover image


class CoverImageField(forms.FileField):
    """A cover upload, checked and cleaned by articles.images before anything is written."""

    widget = AdminFileWidget

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("accept", ACCEPT_ATTRIBUTE)

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is None:
            return None
        try:
            # The size is known before reading: a huge file is refused without loading it.
            image_check_size(size=upload.size)
            upload.seek(0)
            cleaned = image_clean(data=upload.read(), name=upload.name)
        except ImageRejected as error:
            raise ValidationError(str(error), code=error.code) from None
        return SimpleUploadedFile(cleaned.name, cleaned.content, cleaned.content_type)


# ---------------------------------------------------------------------------
# Tags


class TagAutocompleteWidget(forms.SelectMultiple):
    """Django admin's own select2, fed with existing tag names, and free to type new ones."""

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.i18n_name = get_select2_language()

    def build_attrs(self, base_attrs, extra_attrs=None):
        attrs = super().build_attrs(base_attrs, extra_attrs=extra_attrs)
        attrs.update(
            {
                "class": "admin-autocomplete tag-autocomplete",
                "data-ajax--cache": "true",
                "data-ajax--delay": 200,
                "data-ajax--type": "GET",
                "data-ajax--url": reverse("admin:articles_article_tag_autocomplete"),
                "data-theme": "admin-autocomplete",
                "data-tags": "true",
                "data-token-separators": json.dumps([","]),
                "data-placeholder": "Type to find a tag, or a new name and Enter",
                "data-allow-clear": "false",
                "data-width": "40em",
                "lang": self.i18n_name,
            }
        )
        return attrs

    def optgroups(self, name, value, attrs=None):
        # Only the chosen tags are rendered as options; select2 asks for the rest.
        options = [
            self.create_option(name, tag, tag, True, index) for index, tag in enumerate(value)
        ]
        return [(None, options, 0)]

    def format_value(self, value):
        if not value:
            return []
        return [getattr(tag, "name", tag) for tag in value]

    @property
    def media(self):
        extra = "" if settings.DEBUG else ".min"
        i18n = (f"admin/js/vendor/select2/i18n/{self.i18n_name}.js",) if self.i18n_name else ()
        return forms.Media(
            js=(
                f"admin/js/vendor/jquery/jquery{extra}.js",
                f"admin/js/vendor/select2/select2.full{extra}.js",
                *i18n,
                "admin/js/jquery.init.js",
                "admin/js/autocomplete.js",
            ),
            css={
                "screen": (
                    f"admin/css/vendor/select2/select2{extra}.css",
                    "admin/css/autocomplete.css",
                )
            },
        )


class TagNamesField(forms.Field):
    """A list of tag names: existing ones are reused (case-insensitively), new ones created."""

    widget = TagAutocompleteWidget

    def to_python(self, value) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = value.split(",")
        names: dict[str, str] = {}
        for raw in value:
            name = str(raw).strip()
            if name:
                names.setdefault(name.casefold(), name)
        return list(names.values())

    def validate(self, value) -> None:
        super().validate(value)
        too_long = [name for name in value if len(name) > 100]
        if too_long:
            raise ValidationError(
                "A tag name may have at most 100 characters: %(name)s",
                code="max_length",
                params={"name": too_long[0][:40] + "…"},
            )

    def has_changed(self, initial, data) -> bool:
        before = {getattr(tag, "name", tag).casefold() for tag in initial or []}
        return before != {name.casefold() for name in self.to_python(data)}


# ---------------------------------------------------------------------------
# Article


class ArticleAdminForm(forms.ModelForm):
    cover = CoverImageField(
        label="Cover",
        required=False,
        help_text="JPEG, PNG, WebP or still GIF; up to 10 MB and 40 megapixels. "
        "It is turned the right way up and its camera and location data are removed.",
    )
    tags = TagNamesField(
        label="Tags",
        required=False,
        help_text="Choose existing tags as you type; type a new name and press Enter to add it.",
    )

    class Meta:
        model = Article
        fields = [
            "title",
            "slug",
            "standfirst",
            "cover",
            "cover_alt",
            "cover_caption",
            "status",
            "published_at",
            "featured",
            "author",
            "tags",
        ]
        widgets = {
            "standfirst": forms.Textarea(
                attrs={
                    "rows": 3,
                    "maxlength": 300,
                    "data-counter-target": STANDFIRST_TARGET,
                    "class": "vLargeTextField standfirst-input",
                }
            ),
        }
        help_texts = {
            "slug": (
                "The article's address, made from the title. Once the article is published, "
                "changing it keeps the old address working: it redirects to the new one."
            ),
            "standfirst": (
                f"One or two sentences for lists and search results. Aim for about "
                f"{STANDFIRST_TARGET} characters: search engines cut longer snippets."
            ),
            "published_at": (
                "When readers can see it. Leave empty to publish now; a time in the future "
                "schedules the article, which then appears by itself."
            ),
        }
        error_messages = {
            "slug": {"unique": "Another article already uses this address."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "tags" in self.fields:
            self.initial["tags"] = [tag.name for tag in self.instance.tags.all()]

    def clean_cover(self):
        cover = self.cleaned_data.get("cover")
        self.cover_missing = bool(
            cover and not isinstance(cover, UploadedFile) and not cover.storage.exists(cover.name)
        )
        if self.cover_missing:
            # A kept cover whose file is gone (an older revision restored from history names a
            # cover since replaced): clear it rather than point at nothing, or fail to save.
            return False
        return cover

    def clean(self):
        cleaned = super().clean()
        cover = cleaned.get("cover")
        # False means "clear"; None means no file; anything else is a (new or kept) image.
        if cover and not cleaned.get("cover_alt", "").strip() and "cover_alt" not in self.errors:
            self.add_error(
                "cover_alt",
                ValidationError(
                    "Describe the image for readers who cannot see it: "
                    "alt text is required with a cover image.",
                    code="alt_required",
                ),
            )
        if cleaned.get("status") == Article.Status.PUBLISHED and not cleaned.get("published_at"):
            if "published_at" not in self.errors:
                cleaned["published_at"] = timezone.now()
        return cleaned


# ---------------------------------------------------------------------------
# Sections


def _normal_body(html: str | None) -> str:
    # Browsers send a textarea's line breaks as CRLF, and the editor writes "<p></p>" into an
    # untouched empty body: neither is a change the editor made.
    html = (html or "").replace("\r\n", "\n")
    return "" if _EMPTY_HTML.match(html) else html


class SectionBodyField(ProseEditorFormField):
    def to_python(self, value):
        return _normal_body(super().to_python(value))

    def has_changed(self, initial, data) -> bool:
        return _normal_body(initial) != _normal_body(data)


class SectionInlineForm(forms.ModelForm):
    position = forms.IntegerField(
        label="Position",
        required=False,
        min_value=1,
        widget=forms.NumberInput(attrs={"class": "vIntegerField position-input"}),
        help_text="Order in the article. Change the numbers to reorder; they are renumbered "
        "1, 2, 3… on save. Leave empty to add at the end.",
    )
    body = SectionBodyField(
        label="Body",
        required=False,
        extensions=SECTION_EDITOR_EXTENSIONS,
        widget=AdminProseEditorWidget,
        sanitize=False,  # Section.save() sanitises, whoever writes the section
        help_text=Section._meta.get_field("body").help_text,
    )

    class Meta:
        model = Section
        fields = ["position", "heading", "level", "body", "anchor"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.renumbered = False

    def clean_anchor(self) -> str | None:
        # None, not "": several new sections may all leave it empty (Section.save() fills it),
        # and the formset's duplicate check skips None only.
        return self.cleaned_data["anchor"] or None

    def has_changed(self) -> bool:
        # A section that only moved still has to be saved with its new position.
        return self.renumbered or super().has_changed()

    def _get_validation_exclusions(self):
        exclusions = super()._get_validation_exclusions()
        # Positions are renumbered by the formset, and the unique constraint is deferred, so
        # two sections may swap numbers. An empty anchor is made from the heading on save.
        exclusions.add("position")
        if not self.cleaned_data.get("anchor"):
            exclusions.add("anchor")
        return exclusions


class SectionFormSet(forms.BaseInlineFormSet):
    def clean(self):
        self._renumber()
        super().clean()
        kept = self._kept_forms()
        if kept and kept[0].cleaned_data.get("level") == Section.Level.H3:
            raise ValidationError(
                "The first section must be a heading (H2): a subheading (H3) nests under "
                "the heading before it.",
                code="h3_first",
            )

    def _kept_forms(self) -> list[SectionInlineForm]:
        kept = []
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.is_valid():
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            if form.instance.pk or form.has_changed():
                kept.append(form)
        return sorted(kept, key=lambda form: form.cleaned_data["position"])

    def _renumber(self) -> None:
        """Order by the positions typed (empty ones last, ties by place on the page); 1, 2, 3…"""
        kept = []
        for index, form in enumerate(self.forms):
            if not hasattr(form, "cleaned_data") or form.errors:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            if not (form.instance.pk or form.has_changed()):
                continue
            typed = form.cleaned_data.get("position")
            kept.append((typed if typed is not None else math.inf, index, form))
        for number, (_, _, form) in enumerate(sorted(kept, key=lambda k: k[:2]), start=1):
            if form.instance.pk and form.initial.get("position") != number:
                form.renumbered = True
            form.cleaned_data["position"] = number
            form.instance.position = number


# ---------------------------------------------------------------------------
# Markdown import


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


def _is_markdown(name: str) -> bool:
    return name.lower().endswith((".md", ".markdown"))


class MarkdownImportForm(forms.Form):
    files = MultipleFileField(
        label="Files",
        help_text="One or more Markdown files in the import format (see the README), "
        "with the cover images they name, chosen together.",
    )

    def import_articles(self, *, user) -> list[ImportOutcome]:
        """Import each Markdown file on its own: one refused file never stops the others."""
        uploads = self.cleaned_data["files"]
        images = {upload.name: upload for upload in uploads if not _is_markdown(upload.name)}
        used: set[str] = set()
        outcomes = [
            self._import_one(upload, images=images, used=used, user=user)
            for upload in uploads
            if _is_markdown(upload.name)
        ]
        outcomes += [
            ImportOutcome(name, "ignored", "no Markdown file names it as its cover")
            for name in sorted(images.keys() - used)
        ]
        return outcomes

    def _import_one(self, upload, *, images: dict, used: set[str], user) -> ImportOutcome:
        if upload.size > settings.ARTICLE_IMPORT_MAX_BYTES:
            limit = settings.ARTICLE_IMPORT_MAX_BYTES // 1024
            return ImportOutcome(upload.name, "refused", f"the file is larger than {limit} KB")
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            return ImportOutcome(upload.name, "refused", "the file is not UTF-8 text")
        try:
            document = parse_import_document(text)
            with TemporaryDirectory() as folder:
                if document.meta["cover"]:
                    used.add(self._place_cover(document.meta["cover"], images, Path(folder)))
                with reversion.create_revision():
                    reversion.set_user(user)
                    reversion.set_comment(f"Imported from {upload.name}.")
                    result = article_import(document=document, source_dir=Path(folder))
                    if result.created and result.article.author_id is None:
                        result.article.author = user
                        result.article.save(update_fields=["author"])
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
    def _place_cover(cover: str, images: dict, folder: Path) -> str:
        """Write the uploaded cover where the document expects it; return its name.

        The import service checks and cleans it, as it does for files on disk.
        """
        wanted = PurePosixPath(cover).name
        name = next((n for n in images if n == wanted), None) or next(
            (n for n in images if n.lower() == wanted.lower()), None
        )
        if name is None:
            raise ContentError(
                f"its cover image {wanted} was not uploaded: choose it together with the "
                "Markdown file"
            )
        upload = images[name]
        try:
            image_check_size(size=upload.size)
        except ImageRejected as error:
            raise ContentError(f"cover image {name}: {error}") from None
        upload.seek(0)
        target = folder / cover
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(upload.read())
        return name
