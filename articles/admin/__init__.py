"""The articles admin: articles (with sections, preview, history and import), former addresses."""

from .article import ArticleAdmin
from .redirects import SlugRedirectAdmin

__all__ = ["ArticleAdmin", "SlugRedirectAdmin"]
