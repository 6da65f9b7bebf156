"""Filters for the search page."""

from django import template

register = template.Library()


@register.filter
def search_quoted(query: str) -> str:
    """The query in quotation marks, unless it has its own (“"calm sleep"” would double
    them): "calm sleep" is shown as typed."""
    return query if '"' in query else f"“{query}”"
