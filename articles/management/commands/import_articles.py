from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from articles.content import ContentError, parse_import_document
from articles.services import article_import


class Command(BaseCommand):
    help = (
        "Import Markdown files with YAML front matter (title, slug, standfirst, tags, "
        "published_at, status, featured, cover, cover_alt, cover_caption, author, authors). "
        "Re-importing a file updates the article with the same slug. Each file is "
        "imported in its own transaction: a malformed file writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Markdown files, or folders of *.md files.")

    def handle(self, *args, paths: list[str], **options) -> None:
        files: list[Path] = []
        for raw in paths:
            path = Path(raw)
            if path.is_dir():
                files.extend(sorted(path.glob("*.md")))
            elif path.is_file():
                files.append(path)
            else:
                raise CommandError(f"{raw}: no such file or folder")

        failures = 0
        for path in files:
            try:
                text = path.read_text(encoding="utf-8")
                document = parse_import_document(text)
                result = article_import(
                    document=document, source_dir=path.parent, comment=f"Imported from {path}."
                )
            except UnicodeDecodeError:
                failures += 1
                self.stderr.write(f"{path}: refused: not UTF-8 text")
            except ContentError as error:
                failures += 1
                self.stderr.write(f"{path}: refused: {error}")
            else:
                action = "created" if result.created else "updated"
                self.stdout.write(f"{path}: {action} {result.article.slug}")
        if failures:
            raise CommandError(
                f"{failures} of {len(files)} file(s) refused; nothing of them was written"
            )
