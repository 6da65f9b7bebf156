"""The articles admin: articles (with sections, preview, history and import), former addresses,
the disclaimer and help resources, and sensitive tags."""

from .article import ArticleAdmin
from .notices import TagAdmin, TrustSettingsAdmin
from .redirects import SlugRedirectAdmin

__all__ = ["ArticleAdmin", "SlugRedirectAdmin", "TagAdmin", "TrustSettingsAdmin"]
