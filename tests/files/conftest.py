"""The files Chibo produces, opened with the programs its users open them with.

Each check runs the real program: qpdf, poppler's pdfinfo/pdffonts/pdftotext, LibreOffice (headless) and the
`icalendar` and `vobject` parsers. `.ci/run` installs the programs; on a machine without them the checks are
skipped with the command that installs them, except under CI (CI=true), where a missing program fails.
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

PACKAGES = {
    "qpdf": "qpdf",
    "pdfinfo": "poppler-utils",
    "pdffonts": "poppler-utils",
    "pdftotext": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "soffice": "libreoffice-writer-nogui libreoffice-calc-nogui",
}


def program(name):
    """The path of a program the checks run; skipped (failed under CI) when it is not installed."""
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed: apt-get install {PACKAGES.get(name, name)} (or run .ci/run)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def run(*command, timeout=120):
    """Run a program; its output as text. A non-zero exit fails the test with what the program printed."""
    result = subprocess.run([program(command[0]), *command[1:]], capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(map(str, command))} exited {result.returncode}:\n{result.stdout}\n{result.stderr}")
    return result.stdout


def pdfinfo(path):
    """pdfinfo's fields as a dict ("Title", "Pages", "Page size", …)."""
    fields = {}
    for line in run("pdfinfo", "-enc", "UTF-8", path).splitlines():
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    return fields


def pdf_fonts(path):
    """pdffonts' rows: dicts with name, type, emb (yes/no), sub, uni."""
    lines = run("pdffonts", path).splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        # name type… encoding emb sub uni object ID: the last five columns are fixed.
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return fonts


def pdf_text(path, first=None, last=None):
    """The PDF's text as pdftotext reads it (layout kept), pages separated by form feeds."""
    args = ["pdftotext", "-layout", "-enc", "UTF-8"]
    if first:
        args += ["-f", str(first)]
    if last:
        args += ["-l", str(last)]
    return run(*args, path, "-")


def qpdf_check(path):
    """qpdf --check: fails the test on any error or warning qpdf reports."""
    result = subprocess.run([program("qpdf"), "--check", str(path)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"qpdf --check {path}:\n{result.stdout}\n{result.stderr}"
    assert "No syntax or stream encoding errors found" in result.stdout, result.stdout
    return result.stdout


@pytest.fixture
def libreoffice(tmp_path):
    """convert(path, "pdf" | "xlsx" | "csv:…" | …) → the converted file's path, by headless LibreOffice.

    Each test gets a LibreOffice profile of its own, so that two test processes never share one (a shared
    profile makes the second soffice hand its job to the first and exit)."""
    profile = tmp_path / "lo-profile"
    out = tmp_path / "lo-out"
    out.mkdir()

    def convert(path, to):
        run("soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
            "--convert-to", to, "--outdir", str(out), str(path), timeout=180)  # fmt: skip
        stem = Path(path).stem
        extension = to.split(":")[0]
        converted = out / f"{stem}.{extension}"
        written = sorted(p.name for p in out.iterdir())
        assert converted.exists(), f"LibreOffice did not write {converted.name}: {written}"
        return converted

    return convert
