"""`make audit`: bandit over src, pip-audit over requirements.lock. Fails on any finding.

pip-audit asks the package index for each pinned version's known vulnerabilities. If the index
answering here cannot say (a mirror without per-version data), those packages are "skipped";
that is reported loudly and fails only with INQUEST_AUDIT_STRICT=1 (set it where the real
PyPI is reachable). A vulnerability that is found always fails. docs/security/scanners.md.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def bandit() -> int:
    command = [str(BIN / "bandit"), "-q", "-r", "src", "-c", "pyproject.toml"]
    print("+ bandit", " ".join(command[1:]), flush=True)
    return subprocess.run(command, cwd=ROOT, check=False).returncode  # noqa: S603 - fixed argv


def pip_audit() -> int:
    command = [
        str(BIN / "pip-audit"),
        *("-r", "requirements.lock", "--no-deps", "--disable-pip"),
        *("--format", "json", "--progress-spinner", "off"),
    ]
    print("+ pip-audit -r requirements.lock", flush=True)
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        command, cwd=ROOT, capture_output=True, text=True, check=False
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        print(result.stdout + result.stderr, file=sys.stderr)
        print("pip-audit: no report (the vulnerability service did not answer)", file=sys.stderr)
        return 1
    deps = report.get("dependencies", [])
    vulnerable = [d for d in deps if d.get("vulns")]
    skipped = [d for d in deps if d.get("skip_reason")]
    audited = len(deps) - len(skipped)
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    print(
        f"pip-audit: {audited} packages audited, {len(vulnerable)} vulnerable, "
        f"{len(skipped)} not auditable here"
    )
    if vulnerable:
        return 1
    if skipped:
        names = ", ".join(sorted(d["name"] for d in skipped)[:10])
        print(
            f"WARNING: {len(skipped)} packages could not be audited (e.g. {names}): "
            "the package index answering here has no vulnerability data for these versions.",
            file=sys.stderr,
        )
        if os.environ.get("INQUEST_AUDIT_STRICT", "") in {"1", "true", "yes"}:
            return 1
    return 0


def main() -> int:
    return max(bandit(), pip_audit())


if __name__ == "__main__":
    sys.exit(main())
