from django.conf import settings
from django.views.generic import DetailView, ListView

from .selectors import article_detail_public, article_list_public


class ArticleListView(ListView):
    template_name = "articles/article_list.html"
    context_object_name = "articles"

    def get_paginate_by(self, queryset) -> int:
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return article_list_public()


class ArticleDetailView(DetailView):
    template_name = "articles/article_detail.html"
    context_object_name = "article"

    def get_queryset(self):
        return article_detail_public()
