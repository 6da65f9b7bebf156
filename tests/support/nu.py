"""The Nu HTML checker (the W3C's validator, npm's `vnu-jar`) run on this machine's Java.

All documents of a test go through one run of the checker: starting the JVM is most of its
cost. scripts/test installs the jar (package.json) and Debian's Java when either is missing.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from pathlib import Path

from django.conf import settings

VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def nu_errors(documents: dict[str, str]) -> dict[str, list[str]]:
    """{name: html} → {name: ["line N: message", ...]} for every error the checker finds
    (warnings and info are not errors). Names must be usable as file names."""
    java = shutil.which("java")
    assert java, "Java is missing: ./scripts/test installs Debian's default-jre-headless."
    assert VNU_JAR.exists(), f"{VNU_JAR} is missing: ./scripts/test runs npm ci (package.json)."
    with tempfile.TemporaryDirectory() as folder:
        for name, html in documents.items():
            (Path(folder) / f"{name}.html").write_text(html, encoding="utf-8")
        run = subprocess.run(
            [
                java,
                "-jar",
                str(VNU_JAR),
                "--format",
                "json",
                "--exit-zero-always",
                *[str(Path(folder) / f"{name}.html") for name in documents],
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
    # The report goes to stderr; --exit-zero-always so that errors are read, not guessed.
    report = json.loads(run.stderr)
    found: dict[str, list[str]] = {name: [] for name in documents}
    for message in report["messages"]:
        if message["type"] not in ("error", "non-document-error"):
            continue
        # "url" is the checked file's address ("file:/tmp/.../home.html").
        name = Path(message.get("url", "?")).stem
        found.setdefault(name, []).append(
            f"line {message.get('lastLine', '?')}: {message['message']}"
            f" [{message.get('extract', '').strip()}]"
        )
    return found
