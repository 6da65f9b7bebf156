"""The article form: its cover upload and its tags, chosen with autocomplete."""

from __future__ import annotations

import json

from django import forms
from django.conf import settings
from django.contrib.admin.widgets import AdminFileWidget, AdminSplitDateTime, get_select2_language
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from django.urls import reverse
from taggit.models import Tag

from ..dates import EARLIEST_DAY, SCHEDULE_AHEAD_YEARS, publication_now
from ..images import (
    ACCEPT_ATTRIBUTE,
    ImageRejected,
    image_check_size,
    image_clean,
)
from ..models import Article
from .deferred import publishing_errors

STANDFIRST_TARGET = 160


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
# Publication date


class PublicationDateTimeWidget(AdminSplitDateTime):
    """The admin's date and time boxes, each with a name of its own.

    The admin labels the pair once (a <label> can point at one input) and writes "Date:" and
    "Time:" as bare text, so screen readers met two unnamed boxes.
    """

    def __init__(self, attrs=None):
        super().__init__(attrs)
        self.widgets[0].attrs["aria-label"] = "Publication date"
        self.widgets[1].attrs["aria-label"] = "Publication time"


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

    substantive_change = forms.BooleanField(
        label="This is a substantive change (readers see “Updated”; not for a typo)",
        required=False,
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
            "primary_tag",
            "health_content",
            "reviewer",
            "reviewed_at",
        ]
        widgets = {
            "published_at": PublicationDateTimeWidget,
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
                f"{STANDFIRST_TARGET} characters: search engines cut longer snippets. "
                "Needed to publish; a draft can wait for it."
            ),
            "published_at": (
                "When readers can see it. Leave empty to publish now; a time in the future "
                "schedules the article, which then appears by itself (up to "
                f"{SCHEDULE_AHEAD_YEARS} years ahead; no date before {EARLIEST_DAY:%Y})."
            ),
        }
        error_messages = {
            "slug": {"unique": "Another article already uses this address."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "tags" in self.fields:
            self.initial["tags"] = [tag.name for tag in self.instance.tags.all()]
        if "primary_tag" in self.fields:
            # Only the article's own tags (a new article has none yet: its most used tag
            # stands until one is chosen).
            field = self.fields["primary_tag"]
            field.queryset = (
                self.instance.tags.order_by("name") if self.instance.pk else Tag.objects.none()
            )
            field.empty_label = "Its most used tag"

    def clean_primary_tag(self):
        primary = self.cleaned_data.get("primary_tag")
        names = self.cleaned_data.get("tags")
        if primary is not None and names is not None:
            if primary.name.casefold() not in {name.casefold() for name in names}:
                raise ValidationError(
                    "The primary tag must be one of the article's tags: add it back to the "
                    "tags, or choose another.",
                    code="not_a_tag",
                )
        return primary

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
        # A cover's alt text is checked before publishing (articles.publishing_checks): a
        # draft may be saved without it.
        for name, error in publishing_errors(cleaned).items():
            if name not in self.errors:
                self.add_error(name, error)
        if cleaned.get("status") == Article.Status.PUBLISHED and not cleaned.get("published_at"):
            if "published_at" not in self.errors:
                cleaned["published_at"] = publication_now()
        return cleaned
