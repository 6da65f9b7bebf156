"""What changed between two revisions of an article, in words an editor reads.

django-reversion-compare's generic diff clipped the standfirst in a one-line box, showed
every unchanged section as struck and re-added, and missed body and position changes. The
article's own shape is used instead: its fields, its sections (matched across the two
revisions, then reported as added, removed, moved or changed word by word) and its tags.
"""

from __future__ import annotations

import difflib
import html
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import SafeString, mark_safe
from reversion.models import Version
from taggit.models import Tag

from ..models import Article, Section, TaggedArticle
from .display import when

# A word with the space after it: a diff that matched bare spaces would chop a rewritten
# sentence into alternating crossed-out and inserted words.
_WORDS = re.compile(r"\S+\s*|\s+")
# Below this share of words in common, a rewrite reads better as old text, then new.
_REWRITE = 0.4
# Unchanged stretches longer than this many tokens (words and spaces) are cut to their ends.
_CONTEXT = 24
_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(p|li|blockquote|h[1-6])>")
_LIST_ITEM = re.compile(r"(?i)<li(\s[^>]*)?>")


def word_diff(before: str, after: str, *, shorten: bool = False) -> SafeString:
    """`after`, with the words taken out of `before` in <del> and the words put in as <ins>."""
    old, new = _WORDS.findall(before or ""), _WORDS.findall(after or "")
    parts: list[str] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    if old and new and matcher.ratio() < _REWRITE:
        return format_html("<del>{}</del> <ins>{}</ins>", before.strip(), after.strip())
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            same = old[i1:i2]
            if shorten and len(same) > 2 * _CONTEXT:
                after_change = same[:_CONTEXT] if i1 > 0 else []
                before_change = same[-_CONTEXT:] if i2 < len(old) else []
                same = [*after_change, " … ", *before_change]
            parts.append(escape("".join(same)))
            continue
        if i2 > i1:
            parts.append(f"<del>{escape(''.join(old[i1:i2]))}</del>")
        if j2 > j1:
            parts.append(f"<ins>{escape(''.join(new[j1:j2]))}</ins>")
    return mark_safe("".join(parts))  # noqa: S308 (every piece is escaped above)


def body_text(body: str) -> str:
    """A section body's words, a line per paragraph or list item."""
    text = _LIST_ITEM.sub("• ", _BLOCK_END.sub("\n", body or ""))
    lines = (" ".join(line.split()) for line in html.unescape(strip_tags(text)).splitlines())
    return "\n".join(line for line in lines if line)


@dataclass
class FieldChange:
    label: str
    diff: SafeString


@dataclass
class SectionChange:
    """One section that differs: `kind` is "added", "removed" or "kept" (moved or edited)."""

    kind: str
    heading: str
    position_before: int | None = None
    position_after: int | None = None
    moved: bool = False
    heading_diff: SafeString | None = None
    level_change: str = ""
    body_diff: SafeString | None = None
    formatting_only: bool = False
    anchor_change: str = ""

    @property
    def edited(self) -> bool:
        return bool(
            self.heading_diff
            or self.level_change
            or self.body_diff
            or self.anchor_change
            or self.formatting_only
        )


@dataclass
class TagChanges:
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed)


@dataclass
class ArticleDiff:
    fields: list[FieldChange]
    sections: list[SectionChange]
    unchanged_sections: int
    tags: TagChanges

    @property
    def changed(self) -> bool:
        return bool(self.fields or self.sections or self.tags.changed)

    @property
    def section_summary(self) -> str:
        counts = {"added": 0, "removed": 0, "moved": 0, "edited": 0}
        for change in self.sections:
            if change.kind != "kept":
                counts[change.kind] += 1
                continue
            counts["moved"] += change.moved
            counts["edited"] += change.edited
        parts = [f"{n} {what}" for what, n in counts.items() if n]
        parts.append(f"{self.unchanged_sections} unchanged")
        return ", ".join(parts)


def _plain(value: Any) -> str:
    return "" if value is None else str(value)


def _as_seen(value: Any) -> Any:
    """A value as the change form showed it: times to the second (a fraction stored by an
    older save is no change an editor made)."""
    return value.replace(microsecond=0) if isinstance(value, datetime) else value


def _field_changes(before: dict, after: dict) -> list[FieldChange]:
    status = dict(Article.Status.choices)
    users = {
        user.pk: user.get_full_name() or user.get_username()
        for user in get_user_model().objects.filter(
            pk__in={before.get("author_id"), after.get("author_id")} - {None}
        )
    }

    def shown(name: str, value: Any) -> str:
        match name:
            case "status":
                return str(status.get(value, value))
            case "published_at":
                return when(value)
            case "featured":
                return "Yes" if value else "No"
            case "author_id":
                return users.get(value, "nobody") if value else "nobody"
            case "cover":
                return str(value).rsplit("/", 1)[-1] if value else "no cover"
        return _plain(value)

    labels = [
        ("title", "Title"),
        ("slug", "Address (slug)"),
        ("standfirst", "Standfirst"),
        ("cover", "Cover image"),
        ("cover_alt", "Cover alt text"),
        ("cover_caption", "Cover caption"),
        ("status", "Status"),
        ("published_at", "Publication date"),
        ("featured", "Featured"),
        ("author_id", "Author"),
    ]
    changes = []
    for name, label in labels:
        old, new = _as_seen(before.get(name)), _as_seen(after.get(name))
        if _plain(old) == _plain(new):
            continue
        old_text, new_text = shown(name, old), shown(name, new)
        if name in {"title", "standfirst", "cover_alt", "cover_caption"}:
            diff = word_diff(old_text, new_text)
        else:
            diff = format_html("<del>{}</del> → <ins>{}</ins>", old_text, new_text)
        changes.append(FieldChange(label, diff))
    return changes


def _sections(revision_id: int, article_id: int) -> dict[str, dict]:
    versions = Version.objects.get_for_model(Section).filter(revision_id=revision_id)
    found = {}
    for version in versions:
        data = version.field_dict
        if data.get("article_id") == article_id:
            found[version.object_id] = data
    return found


def _match(before: dict[str, dict], after: dict[str, dict]) -> list[tuple[str | None, str | None]]:
    """Pairs of (before key, after key): the same section by id, else by anchor or heading
    (an import replaces sections with new rows), unmatched ones alone."""
    pairs = [(key, key) for key in before if key in after]
    left = [key for key in before if key not in after]
    right = [key for key in after if key not in before]
    for attribute in ("anchor", "heading"):
        for old in list(left):
            for new in right:
                if before[old].get(attribute) and before[old].get(attribute) == after[new].get(
                    attribute
                ):
                    pairs.append((old, new))
                    left.remove(old)
                    right.remove(new)
                    break
    return pairs + [(key, None) for key in left] + [(None, key) for key in right]


def _moved(pairs, before, after) -> set[tuple[str, str]]:
    """Sections out of their old order. The longest run kept in order counts as staying put,
    so one section moved to the end is one move, not every section shifting up by one."""
    kept = [(old, new) for old, new in pairs if old and new]
    old_order = sorted(kept, key=lambda pair: before[pair[0]]["position"])
    new_order = sorted(kept, key=lambda pair: after[pair[1]]["position"])
    matcher = difflib.SequenceMatcher(None, old_order, new_order, autojunk=False)
    in_place = {
        pair
        for block in matcher.get_matching_blocks()
        for pair in old_order[block.a : block.a + block.size]
    }
    return set(kept) - in_place


def _section_changes(before, after) -> tuple[list[SectionChange], int]:
    levels = {2: "heading (H2)", 3: "subheading (H3)"}
    pairs = _match(before, after)
    moved = _moved(pairs, before, after)
    changes, unchanged = [], 0
    for old_key, new_key in pairs:
        if new_key is None:
            old = before[old_key]
            changes.append(
                SectionChange("removed", old["heading"], position_before=old["position"])
            )
            continue
        new = after[new_key]
        if old_key is None:
            changes.append(
                SectionChange(
                    "added",
                    new["heading"],
                    position_after=new["position"],
                    body_diff=word_diff("", body_text(new["body"])),
                )
            )
            continue
        old = before[old_key]
        change = SectionChange(
            "kept",
            new["heading"],
            position_before=old["position"],
            position_after=new["position"],
            moved=(old_key, new_key) in moved,
        )
        if old["heading"] != new["heading"]:
            change.heading_diff = word_diff(old["heading"], new["heading"])
        if old["level"] != new["level"]:
            change.level_change = f"{levels.get(old['level'])} → {levels.get(new['level'])}"
        if old["anchor"] != new["anchor"]:
            change.anchor_change = f"#{old['anchor']} → #{new['anchor']}"
        old_text, new_text = body_text(old["body"]), body_text(new["body"])
        if old_text != new_text:
            change.body_diff = word_diff(old_text, new_text, shorten=True)
        elif old["body"] != new["body"]:
            change.formatting_only = True
        if change.moved or change.edited:
            changes.append(change)
        else:
            unchanged += 1
    changes.sort(key=lambda c: (c.position_after or c.position_before or 0, c.kind != "removed"))
    return changes, unchanged


def _tag_ids(revision_id: int, article_id: int) -> set[int]:
    versions = Version.objects.get_for_model(TaggedArticle).filter(revision_id=revision_id)
    return {
        version.field_dict["tag_id"]
        for version in versions
        if version.field_dict.get("content_object_id") == article_id
    }


def _tag_changes(before: set[int], after: set[int]) -> TagChanges:
    names = dict(Tag.objects.filter(pk__in=before | after).values_list("pk", "name"))

    def named(ids: set[int]) -> list[str]:
        return sorted((names.get(pk, f"(deleted tag {pk})") for pk in ids), key=str.casefold)

    return TagChanges(
        added=named(after - before), removed=named(before - after), kept=named(before & after)
    )


def article_diff(article: Article, older: Version, newer: Version) -> ArticleDiff:
    """The changes from the `older` revision of the article to the `newer` one."""
    sections, unchanged = _section_changes(
        _sections(older.revision_id, article.pk), _sections(newer.revision_id, article.pk)
    )
    return ArticleDiff(
        fields=_field_changes(older.field_dict, newer.field_dict),
        sections=sections,
        unchanged_sections=unchanged,
        tags=_tag_changes(
            _tag_ids(older.revision_id, article.pk), _tag_ids(newer.revision_id, article.pk)
        ),
    )
