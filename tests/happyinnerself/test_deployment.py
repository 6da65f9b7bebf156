"""What can be checked of the deployment without a Docker engine (none runs on this machine).

docker-compose.yml is read as compose reads it (tests/support/compose.py), never matched as text."""

import json
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from tests.support.compose import compose_config as compose

ROOT = Path(settings.BASE_DIR)


def shell_steps(command: list[str]) -> list[list[str]]:
    """["sh", "-c", "a x && b y"] → [["a", "x"], ["b", "y"]]: the commands a shell runs."""
    assert command[:2] == ["sh", "-c"], command
    return [shlex.split(step) for step in command[2].split("&&")]


def test_compose_names_every_service_with_health_checks_and_volumes():
    config = compose()
    services = config["services"]
    assert set(services) >= {"db", "redis", "migrate", "web", "scheduler", "proxy", "static"}
    for name in ("db", "redis", "web", "proxy"):
        assert services[name]["healthcheck"]["test"], name
    assert set(config["volumes"]) >= {"pgdata", "redisdata", "media", "static"}
    assert {"type": "volume", "source": "pgdata", "target": "/var/lib/postgresql/data"}.items() <= (
        services["db"]["volumes"][0].items()
    )


def test_web_starts_only_after_migrations_and_behind_the_proxy():
    services = compose()["services"]
    steps = shell_steps(services["migrate"]["command"])
    migrate = steps.index(["python", "manage.py", "migrate", "--noinput"])
    assert steps[migrate + 1] == ["python", "manage.py", "setup_roles"]
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["web"]["command"] == ["gunicorn", "--config", "gunicorn.conf.py"]
    assert services["proxy"]["depends_on"]["web"]["condition"] == "service_healthy"
    assert "ports" not in services["web"], "only the proxy is exposed"
    assert services["web"]["environment"]["DJANGO_SETTINGS_MODULE"].endswith(".production")


def test_every_deployment_runs_the_deployment_checks_before_migrating():
    steps = shell_steps(compose()["services"]["migrate"]["command"])
    # Joined by &&: a failed check stops the deployment before the schema changes.
    assert steps[0] == ["python", "manage.py", "check", "--deploy"]
    assert ["python", "manage.py", "migrate", "--noinput"] in steps[1:]


def test_scheduler_runs_the_periodic_commands():
    services = compose()["services"]
    assert services["scheduler"]["command"] == ["sh", "deploy/scheduler.sh"]
    script = (ROOT / "deploy" / "scheduler.sh").read_text()
    from django.core.management import get_commands

    for command in (
        "popularity_flush",
        "popularity_rotate_salts",
        "clearsessions",
        "popularity_digest",
    ):
        assert f"manage.py {command}" in script
        assert command in get_commands()


def test_proxy_serves_static_and_media_with_long_cache_lifetimes():
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    # What these do is tested through the real Caddy (test_proxy.py); here, that they are there.
    assert re.search(r"handle_path /static/\*.*?max-age=31536000, immutable", caddyfile, re.S)
    assert re.search(r"handle_path /media/\*.*?max-age=2592000", caddyfile, re.S)
    assert re.search(r"encode \{\s*zstd\s*gzip", caddyfile)
    assert "reverse_proxy {$WEB_UPSTREAM:web:8000}" in caddyfile


def test_dockerfile_runs_as_non_root_and_collects_static_at_build():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert dockerfile.startswith("#") and "FROM python:3.11-slim" in dockerfile
    assert re.search(r"^USER app$", dockerfile, re.M)
    assert "collectstatic --noinput" in dockerfile


# gunicorn.conf.py as gunicorn reads it (its own parser), then what its arbiter does with it:
# the settings named in the last argument, and the garbage collector's counts after the hook.
GUNICORN_CONFIG = """
import gc, json, sys
from gunicorn.app.wsgiapp import WSGIApplication
names = json.loads(sys.argv.pop())
sys.argv = ["gunicorn", "--config", "gunicorn.conf.py"]
app = WSGIApplication("%(prog)s [OPTIONS] [APP_MODULE]")
found = {name: app.cfg.settings[name].get() for name in names}
if app.cfg.preload_app:
    app.wsgi()  # the arbiter loads the application before forking
app.cfg.pre_fork(None, None)  # the hook the arbiter runs before each fork
counts = {"frozen": gc.get_freeze_count(), "tracked": len(gc.get_objects())}
print(json.dumps({"settings": found, **counts}))
"""


def gunicorn_config(*names: str, **environment: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "happyinnerself.settings.test", **environment}
    done = subprocess.run(
        [sys.executable, "-c", GUNICORN_CONFIG, json.dumps(names)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.splitlines()[-1])


def test_the_image_and_compose_start_gunicorn_with_its_config_file_only():
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["gunicorn", "--config", "gunicorn.conf.py"]' in dockerfile
    assert compose()["services"]["web"]["command"] == ["gunicorn", "--config", "gunicorn.conf.py"]


def test_gunicorn_runs_threaded_workers_sized_from_the_environment():
    names = ("worker_class", "workers", "threads")
    default = gunicorn_config(*names)["settings"]
    assert default == {"worker_class": "gthread", "workers": 3, "threads": 4}
    sized = gunicorn_config(*names, WEB_CONCURRENCY="5", GUNICORN_THREADS="8")["settings"]
    assert sized == {"worker_class": "gthread", "workers": 5, "threads": 8}


def test_a_server_process_keeps_what_it_loaded_out_of_full_collections():
    # A full pass of the garbage collector over everything Django loads stalled a worker
    # for 25-35 ms; gunicorn's arbiter loads the site once and freezes it before forking.
    found = gunicorn_config("preload_app")
    assert found["settings"] == {"preload_app": True}
    assert found["frozen"] > 50_000 and found["tracked"] < found["frozen"] / 10


def test_workers_are_not_restarted_every_few_thousand_requests():
    # Each worker keeps little of its own (bounded LRUs). Restarting one throws
    # them away and pays Django's start-up again: under a spike, every second or two.
    assert gunicorn_config("max_requests")["settings"] == {"max_requests": 0}
    assert not any(
        arg.startswith("--max-requests") for arg in compose()["services"]["web"]["command"]
    )


def test_the_access_log_keeps_no_query_string_or_referrer():
    # A search's words may be an e-mail address or a phone number (docs/popularity.md).
    found = gunicorn_config("access_log_format")["settings"]["access_log_format"]
    assert "%(U)s" in found
    assert not any(part in found for part in ("%(r)s", "%(q)s", "%(f)s"))
