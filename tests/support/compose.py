"""docker-compose.yml as compose itself reads it, for tests of the production stack.

Where docker has its compose plugin, `docker compose config` does the reading (merges,
interpolation, the long form of every entry); elsewhere PyYAML reads the file and the few
short forms the file uses are expanded the way compose documents them. Tests see one shape.
"""

import re
import shlex
import subprocess
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
# Values the file requires (`${NAME:?...}`), as an operator's .env would give them.
REQUIRED_ENVIRONMENT = {"POSTGRES_PASSWORD": "example-only"}


def compose_config() -> dict:
    config = compose_by_docker()
    if config is None:
        config = yaml.load(COMPOSE_FILE.read_text(), Loader=NoDuplicateKeys)
    for service in config["services"].values():
        expand_short_forms(service)
    return config


def compose_variables() -> set[str]:
    """The `${NAME…}` an operator may set, from every value of the file (comments aside;
    `$$` is compose's escape for a literal dollar, read by the container's shell)."""
    found: set[str] = set()

    def walk(value) -> None:
        if isinstance(value, dict):
            for each in value.values():
                walk(each)
        elif isinstance(value, list):
            for each in value:
                walk(each)
        elif isinstance(value, str):
            found.update(re.findall(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)", value))

    walk(yaml.load(COMPOSE_FILE.read_text(), Loader=NoDuplicateKeys))
    return found


def compose_by_docker() -> dict | None:
    try:
        version = subprocess.run(["docker", "compose", "version"], capture_output=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if version.returncode != 0:
        return None
    with tempfile.TemporaryDirectory() as project:
        # env_file: .env is read from the project directory: give it an operator's .env.
        env_file = Path(project) / ".env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in REQUIRED_ENVIRONMENT.items()))
        done = subprocess.run(
            ["docker", "compose", "--project-directory", project, "--file", str(COMPOSE_FILE)]
            + ["--env-file", str(env_file), "config", "--format", "json"],
            capture_output=True,
            text=True,
            check=True,
            timeout=60,
        )
    return yaml.safe_load(done.stdout)  # JSON is YAML


class NoDuplicateKeys(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys silently; compose refuses them. So do we."""

    def construct_mapping(self, node, deep=False):
        keys = [key.value for key, _ in node.value if key.tag != "tag:yaml.org,2002:merge"]
        duplicates = {key for key in keys if keys.count(key) > 1}
        assert not duplicates, f"duplicate keys in docker-compose.yml: {duplicates}"
        return super().construct_mapping(node, deep=deep)


def expand_short_forms(service: dict) -> None:
    """Compose's documented long forms: volumes as {type, source, target, read_only},
    depends_on as {service: {condition}}, command and healthcheck test as lists."""
    if isinstance(service.get("command"), str):
        service["command"] = shlex.split(service["command"])
    if isinstance(service.get("depends_on"), list):
        service["depends_on"] = {
            name: {"condition": "service_started"} for name in service["depends_on"]
        }
    if isinstance(service.get("environment"), list):
        service["environment"] = dict(item.split("=", 1) for item in service["environment"])
    service["volumes"] = [
        volume_long_form(volume) if isinstance(volume, str) else volume
        for volume in service.get("volumes", [])
    ]


def volume_long_form(short: str) -> dict:
    source, target, *mode = short.split(":")
    bind = source.startswith((".", "/", "~"))
    return {
        "type": "bind" if bind else "volume",
        # compose makes a bind's path absolute from its project directory; left as written.
        "source": source,
        "target": target,
        **({"read_only": True} if mode == ["ro"] else {}),
    }
