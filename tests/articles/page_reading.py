"""Reading the public pages in tests: their HTML, its main part and its JSON-LD."""

import json
import re

from django.utils import timezone

DAY = timezone.timedelta(days=1)


def days_ago(n: float):
    return timezone.now() - n * DAY


def html_of(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.content.decode()


def json_ld(html: str) -> list[dict]:
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return [json.loads(block) for block in blocks]


def main_of(html: str) -> str:
    return html[html.index("<main") : html.index("</main>")]
