"""What an editor's save does in the benchmark: a word fixed in the newest article.

The admin's change form saves, in one transaction, the article's form (its row, unchanged
here), the section whose text changed, then records the text revision (ArticleAdmin's
save_related: `articles.services.article_text_revised`, a minor change). The after-commit
work is then the site's own: the derived fields refreshed, new versions of the pages that
show what changed (articles.signals).
"""

from __future__ import annotations

from django.db import transaction

from articles.models import Article
from articles.services import article_text_revised

# The typo and its correction; each save swaps one for the other in the first section that
# has either (a common word, so every seeded article has it), so the word count and what
# cards show stay the same.
TYPO, WORD = " teh ", " the "


def editor_fixes_a_word() -> Article:
    with transaction.atomic():
        article = Article.objects.order_by("-pk").first()
        assert article is not None, "no article to edit"
        article.save()
        for section in article.sections.order_by("position"):
            if TYPO in section.body:
                section.body = section.body.replace(TYPO, WORD, 1)
            elif WORD in section.body:
                section.body = section.body.replace(WORD, TYPO, 1)
            else:
                continue
            section.save()
            break
        article_text_revised(article=article, substantive=False)
    return article
