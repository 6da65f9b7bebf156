"""The articles admin: articles (with sections, preview, history and import), author profiles,
former addresses, the disclaimer and help resources, and sensitive tags."""

from .article import ArticleAdmin
from .authors import AuthorProfileAdmin
from .notices import TagAdmin, TrustSettingsAdmin
from .redirects import SlugRedirectAdmin

__all__ = [
    "ArticleAdmin",
    "AuthorProfileAdmin",
    "SlugRedirectAdmin",
    "TagAdmin",
    "TrustSettingsAdmin",
]
