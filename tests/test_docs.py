"""The documentation keeps its promises: every setting documented, a README read in minutes."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = sorted((ROOT / "happyinnerself" / "settings").glob("*.py"))
CONFIGURATION = ROOT / "docs" / "configuration.md"
README = ROOT / "README.md"

# The ways settings read a variable: os.environ.get("X", os.getenv("X", any env helper
# (env("X", env_int("X", env.int("X", _env("X"), and os.environ["X"].
ENV_READ = re.compile(
    r"""\w*env\w*(?:\.\w+)?\(\s*["']([A-Z][A-Z0-9_]*)["']"""
    r"""|os\.environ\[\s*["']([A-Z][A-Z0-9_]*)["']\s*\]"""
)


def environment_names(source: str) -> set[str]:
    return {a or b for a, b in ENV_READ.findall(source)}


def settings_environment_names() -> set[str]:
    return set().union(*(environment_names(path.read_text()) for path in SETTINGS))


def documented_rows(markdown: str) -> list[str]:
    """The names in the first cell of the configuration table's rows: | `NAME` | ..."""
    return re.findall(r"^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|", markdown, flags=re.MULTILINE)


def test_the_pattern_finds_every_idiom_the_settings_may_use():
    source = """
SECRET_KEY = os.environ.get("SECRET_KEY", "")
REPLICA = os.environ['DATABASE_REPLICA_URL']
ZONE = os.getenv(
    "TIME_ZONE", "UTC")
DEBUG = env_bool("DEBUG", False)
HOSTS = env_list('ALLOWED_HOSTS', [])
AGE = env.int("CONN_MAX_AGE", default=60)
LEVEL = env("LOG_LEVEL")
NAME = _env("ADMIN_URL")
value = os.environ.get(name)  # a helper's own body names no variable
"""
    assert environment_names(source) == {
        "SECRET_KEY",
        "DATABASE_REPLICA_URL",
        "TIME_ZONE",
        "DEBUG",
        "ALLOWED_HOSTS",
        "CONN_MAX_AGE",
        "LOG_LEVEL",
        "ADMIN_URL",
    }


def deployment_environment_names() -> set[str]:
    """What an operator sets for docker compose: `${NAME}` in the compose file, .env.example."""
    from tests.support.compose import compose_variables

    example = (ROOT / ".env.example").read_text()
    operator_sets = re.findall(r"^([A-Z][A-Z0-9_]*)=", example, flags=re.MULTILINE)
    return compose_variables() | set(operator_sets)


def test_every_environment_variable_is_documented_once_in_configuration_md():
    names = settings_environment_names()
    # Guards against a pattern that silently stops matching a new idiom.
    assert {"SECRET_KEY", "DATABASE_URL", "CACHE_URL", "POPULARITY_WIDGET_WINDOW"} <= names
    names |= deployment_environment_names()
    assert {"POSTGRES_PASSWORD", "SITE_DOMAIN"} <= names
    rows = documented_rows(CONFIGURATION.read_text())
    undocumented = sorted(names - set(rows))
    assert not undocumented, f"add these to docs/configuration.md's table: {undocumented}"
    twice = sorted({name for name in rows if rows.count(name) > 1})
    assert not twice, f"documented more than once in docs/configuration.md: {twice}"


def test_readme_is_short_and_starts_with_the_two_commands():
    lines = README.read_text().splitlines()
    assert len(lines) <= 150, f"README.md has {len(lines)} lines; move detail to docs/"
    # The title, at most a short introduction, then the two commands before anything else.
    fence = next(n for n, line in enumerate(lines) if line.startswith("```"))
    before = [line for line in lines[:fence] if line.strip() and not line.startswith("# ")]
    assert len(before) <= 5 and not any(line.startswith("#") for line in before)
    block = lines[fence + 1 : lines.index("```", fence + 1)]
    commands = [line.split("#")[0].strip() for line in block]
    assert commands[:2] == ["./scripts/run", "./scripts/test"]


def test_every_picture_the_documents_show_exists():
    for document in [README, *sorted((ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"!\[[^\]]*\]\(([^)\s]+)\)", document.read_text()):
            assert (document.parent / target).is_file(), f"{document.name} shows {target}"


def test_design_md_shows_every_screenshot_the_script_takes():
    from scripts.screenshots import DESIGN_PAGES, DESIGN_VIEWS, SCHEMES

    design = (ROOT / "docs" / "design.md").read_text()
    for page in DESIGN_PAGES:
        for width, _ in DESIGN_VIEWS:
            for scheme in SCHEMES:
                assert f"(images/design/{page}-{width}-{scheme}.png)" in design
