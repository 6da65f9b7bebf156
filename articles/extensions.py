"""Places on the readers' pages where other apps add their parts, so that articles never
imports them: an app appends its template names here in its AppConfig.ready(), and the
page renders each with its own context (see articles.context_processors)."""

from __future__ import annotations

#: Boxes beside the text (home, topic and article pages), in order. On an article page
#: they follow the article, and the context's `shown_article_ids` lists the articles the
#: page already shows (the one being read, previous/next, related): a box listing articles
#: leaves those out, so the end of an article never repeats one.
sidebar_templates: list[str] = []
#: Parts of an article page's <head> (scripts), each rendered with `article` in context.
article_head_templates: list[str] = []
