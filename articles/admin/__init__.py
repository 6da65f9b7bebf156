"""The articles admin: articles (with sections, preview, history and import), author profiles,
former addresses."""

from .article import ArticleAdmin
from .authors import AuthorProfileAdmin
from .redirects import SlugRedirectAdmin

__all__ = ["ArticleAdmin", "AuthorProfileAdmin", "SlugRedirectAdmin"]
