"""Places on the readers' pages where other apps add their parts, so that articles never
imports them: an app appends its template names here in its AppConfig.ready(), and the
page renders each with its own context (see articles.context_processors)."""

from __future__ import annotations

#: Boxes beside the text (home, topic and article pages), in order.
sidebar_templates: list[str] = []
#: Parts of an article page's <head> (scripts), each rendered with `article` in context.
article_head_templates: list[str] = []
