"""Author profiles (with their photo and links), and the ordered "Authors" of an article."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.html import format_html

from ..images import file_delete_on_commit
from ..models import ArticleAuthor, AuthorLink, AuthorProfile
from ..renditions import photo_picture
from .forms import CoverImageField
from .positions import PositionedForm, RenumberingFormSet


class LabelledFormSet(forms.BaseInlineFormSet):
    """A tabular inline whose boxes each have a name of their own: the table's column
    headings are not labels, so screen readers (and axe) would meet unnamed boxes."""

    #: field name -> its accessible name in every row
    names: dict[str, str] = {}

    def add_fields(self, form, index) -> None:
        super().add_fields(form, index)
        names = {**self.names, "DELETE": "Remove"}
        for name, label in names.items():
            if name in form.fields:
                widget = form.fields[name].widget
                # The admin wraps a related field's select (its add and change links).
                widget = getattr(widget, "widget", widget)
                widget.attrs["aria-label"] = label


class OrderedFormSet(LabelledFormSet, RenumberingFormSet):
    """Rows numbered 1, 2, 3… as sections and sources are (a row given a new number takes
    that place); a new row counts only once something is chosen in it."""


class OrderedRowForm(PositionedForm):
    position = forms.IntegerField(
        required=False, min_value=1, widget=forms.NumberInput(attrs={"class": "vIntegerField"})
    )
    #: the field a new row needs for it to count
    chosen_field = ""

    def has_changed(self) -> bool:
        if self.instance.pk is None:
            # A new row counts when something is chosen in it: the first author offered on
            # a new article counts as it stands, an empty row is left out.
            return bool(self[self.chosen_field].data)
        return super().has_changed()


# ---------------------------------------------------------------------------
# An article's authors


class ArticleAuthorForm(OrderedRowForm):
    chosen_field = "profile"

    class Meta:
        model = ArticleAuthor
        fields = ["profile", "position"]
        labels = {"profile": "Author", "position": "Position"}
        help_texts = {"position": "1 is named first; leave empty to add at the end."}


class ArticleAuthorFormSet(OrderedFormSet):
    names = {"profile": "Author", "position": "Position in the byline"}

    def clean(self) -> None:
        chosen = [
            form.cleaned_data["profile"]
            for form in self.forms
            if hasattr(form, "cleaned_data")
            and form.cleaned_data.get("profile")
            and not (self.can_delete and self._should_delete_form(form))
        ]
        if len(chosen) != len(set(chosen)):
            raise forms.ValidationError(
                "An author is named twice in the byline: remove one of them.", code="twice"
            )
        super().clean()


class ArticleAuthorInline(admin.TabularInline):
    """The byline, in order: each name links to the author's page."""

    model = ArticleAuthor
    form = ArticleAuthorForm
    formset = ArticleAuthorFormSet
    fields = ["profile", "position"]
    ordering = ["position", "pk"]
    verbose_name = "author"
    verbose_name_plural = "Authors (the byline, in order)"

    def get_extra(self, request, obj=None, **kwargs) -> int:
        # One row to start a new article (its creator's profile, when they have one).
        return 1 if obj is None or obj.pk is None else 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("profile")


def first_author_initial(request) -> list[dict]:
    """The byline a new article starts with: its creator's author profile, if any."""
    profile = AuthorProfile.objects.filter(user_id=request.user.pk).only("pk").first()
    return [{"profile": profile.pk, "position": 1}] if profile else []


# ---------------------------------------------------------------------------
# Author profiles


class AuthorLinkForm(OrderedRowForm):
    chosen_field = "url"
    url = forms.URLField(
        label="Address",
        max_length=500,
        assume_scheme="https",
        help_text="The whole address, starting with https://.",
    )

    class Meta:
        model = AuthorLink
        fields = ["label", "url", "position"]


class AuthorLinkFormSet(OrderedFormSet):
    names = {"label": "Link text", "url": "Web address", "position": "Position"}


class AuthorLinkInline(admin.TabularInline):
    """Pages about the author elsewhere (website, ORCID, LinkedIn …): shown on their page
    and given to search engines as `sameAs`."""

    model = AuthorLink
    form = AuthorLinkForm
    formset = AuthorLinkFormSet
    fields = ["label", "url", "position"]
    ordering = ["position", "pk"]
    extra = 1


class AuthorProfileForm(forms.ModelForm):
    photo = CoverImageField(
        label="Photo",
        required=False,
        help_text="A portrait, square works best: JPEG, PNG, WebP or still GIF; up to 10 MB. "
        "It is turned the right way up and its camera and location data are removed.",
    )

    class Meta:
        model = AuthorProfile
        fields = [
            "name",
            "slug",
            "credentials",
            "job_title",
            "bio",
            "photo",
            "photo_alt",
            "user",
        ]

    def clean_credentials(self):
        credentials = self.cleaned_data.get("credentials", "")
        if not credentials.strip() and self.instance.pk:
            if reviewed := list(self.instance.reviews.order_by("title")[:4]):
                titles = ", ".join(f"“{article.title}”" for article in reviewed[:3])
                titles += " and others" if len(reviewed) > 3 else ""
                raise ValidationError(
                    f"{self.instance.name} is named as medical reviewer (on {titles}): readers "
                    "are told who checked the facts, with their credentials. Name another "
                    "reviewer on those articles first, or keep the credentials.",
                    code="reviewer_credentials",
                )
        return credentials

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("photo") and not cleaned.get("photo_alt") and "photo_alt" not in self.errors:
            self.add_error("photo_alt", "Say what the photo shows: without it, it is not shown.")
        return cleaned


@admin.register(AuthorProfile)
class AuthorProfileAdmin(admin.ModelAdmin):
    form = AuthorProfileForm
    inlines = [AuthorLinkInline]
    prepopulated_fields = {"slug": ("name",)}
    list_display = ["name", "photo_preview", "credentials", "article_count"]
    search_fields = ["name", "slug", "credentials"]
    search_help_text = "Search names, addresses and credentials."
    readonly_fields = ["photo_preview"]
    fieldsets = [
        (None, {"fields": ["name", "slug", "credentials", "job_title", "bio", "user"]}),
        ("Photo", {"fields": ["photo", "photo_preview", "photo_alt"]}),
    ]

    class Media:
        # The article admin's styles: underlined breadcrumb links among them.
        css = {"all": ["articles/admin/editing.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_total=Count("bylines"))

    @admin.display(description="Articles", ordering="article_total")
    def article_count(self, obj: AuthorProfile) -> int:
        return getattr(obj, "article_total", 0)

    @admin.display(description="Photo as readers see it")
    def photo_preview(self, obj: AuthorProfile) -> str:
        picture = photo_picture(obj) if obj.pk else None
        if picture is None:
            return "No photo shown (a photo needs its description)." if obj.photo else "-"
        return format_html(
            '<img src="{}" alt="{}" width="96" height="{}">',
            picture.src,
            obj.photo_alt,
            max(1, round(picture.height * 96 / picture.width)),
        )

    def save_model(self, request, obj, form, change):
        replaced = form.initial.get("photo") if change and "photo" in form.changed_data else None
        super().save_model(request, obj, form, change)
        if replaced:
            file_delete_on_commit(storage=obj.photo.storage, name=replaced.name)
