# The web image: slim Python 3.11, pinned requirements, static files collected at build,
# run as an unprivileged user under gunicorn (settings in gunicorn.conf.py).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=happyinnerself.settings.production
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY . .
# collectstatic only needs the settings to load: a throwaway secret and an unused database URL.
RUN SECRET_KEY="build-only-$(python -c 'import secrets; print(secrets.token_hex(32))')" \
    DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --noinput \
 && useradd --create-home --uid 10001 app \
 && mkdir -p /app/media && chown app:app /app/media

USER app
EXPOSE 8000
CMD ["gunicorn", "--config", "gunicorn.conf.py"]
