"""README's test command (`python -m pytest -q`) ends with the count of passed tests: the
project's pytest options must not add a second -q (``-qq`` prints no summary line)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_pytest_q_prints_how_many_tests_passed():
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/common/test_untrusted.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    last = proc.stdout.strip().splitlines()[-1]
    assert " passed" in last and last.split()[0].isdigit(), proc.stdout
