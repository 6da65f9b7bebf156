import pytest

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0.0.0 Safari/537.36"
)
OTHER_BROWSER = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0"
)


@pytest.fixture
def read(client):
    """GET a page as a reader's browser would (a real user agent, an address)."""

    def get(path, *, ip="198.51.100.7", agent=BROWSER, **headers):
        return client.get(path, HTTP_USER_AGENT=agent, REMOTE_ADDR=ip, **headers)

    return get
