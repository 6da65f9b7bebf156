"""The review queues on the admin index: what waits for an editor, what came back to an author."""

from __future__ import annotations

from django import template

from .. import review

register = template.Library()

#: How many articles each queue lists on the index; the rest are a filter away.
QUEUE_LENGTH = 20


@register.inclusion_tag("admin/articles/_review_queues.html", takes_context=True)
def review_queues(context) -> dict:
    user = context["request"].user
    if not user.has_perm("articles.change_article"):
        return {"show": False}
    may_publish = review.user_may_publish(user)
    waiting = list(review.articles_waiting_for_review()[:QUEUE_LENGTH]) if may_publish else None
    sent_back = list(review.articles_sent_back_to(user=user)[:QUEUE_LENGTH])
    return {
        "show": True,
        "waiting": waiting,
        "sent_back": sent_back,
        "show_sent_back": bool(sent_back) or not may_publish,
    }
