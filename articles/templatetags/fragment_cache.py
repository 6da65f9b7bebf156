"""{% cachedfragment "name" vary1 vary2 %}...{% endcachedfragment %}

Like Django's {% cache %}, but keyed by the content version (articles.cache), so a change
to any article, section or tag retires every fragment at once, and never used for a
preview (a page whose context has `preview`), so drafts never reach the cache and a cached
public fragment never stands in for a preview.
"""

from django import template
from django.conf import settings
from django.core.cache import cache

from articles.cache import cache_key, content_state

register = template.Library()


class CachedFragmentNode(template.Node):
    def __init__(self, nodelist, name, vary_on):
        self.nodelist = nodelist
        self.name = name
        self.vary_on = vary_on

    def render(self, context):
        if context.get("preview"):
            return self.nodelist.render(context)
        request = context.get("request")
        state = content_state(request)
        where = (request.scheme, request.get_host()) if request is not None else ("", "")
        parts = (*where, *(expr.resolve(context) for expr in self.vary_on))
        key = cache_key(state, f"fragment:{self.name.resolve(context)}", *parts)
        html = cache.get(key)
        if html is None:
            html = self.nodelist.render(context)
            cache.set(key, html, settings.ARTICLES_CACHE_SECONDS)
        return html


@register.tag("cachedfragment")
def do_cachedfragment(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("'cachedfragment' needs a fragment name")
    nodelist = parser.parse(("endcachedfragment",))
    parser.delete_first_token()
    return CachedFragmentNode(
        nodelist, parser.compile_filter(bits[1]), [parser.compile_filter(b) for b in bits[2:]]
    )
