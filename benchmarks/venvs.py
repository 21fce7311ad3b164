"""The tools under comparison: how to install each in its own virtual environment and how to run it.

Every tool gets a venv under benchmarks/.venvs/<venv> with only its own requirements (pinned to the versions
measured in README.md), so no two tools share, or fight over, a dependency. Ours is the repository installed
editable, as a user installs it (`pip install .`: no extras), not the development venv, whose benchmark
dependencies (scipy for truth.py) would slow every start: numba imports scipy whenever it is installed.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
VENVS = BENCH / ".venvs"
PEERS = BENCH / "peers"


@dataclass(frozen=True, slots=True)
class Tool:
    """One row of the comparison: a runner script, its variant and the venv it runs in."""

    name: str
    runner: str
    variant: str
    venv: str
    requirements: tuple[str, ...]

    @property
    def python(self) -> Path:
        return VENVS / self.venv / "bin" / "python"


# datatrove's MinHash needs `xxhash` and `regex` (its "processing" extra, pinned as there) and its readers
# import `tokenizers`; the rest of that extra (fasttext, nltk, trafilatura, ...) is not used by MinHash dedup.
DATATROVE = ("datatrove==0.10.1", "xxhash<4", "regex", "tokenizers", "orjson")

TOOLS: tuple[Tool, ...] = (
    Tool("ours-docs", "ours.py", "docs", "ours", ()),
    Tool("ours-scan", "ours.py", "scan", "ours", ()),
    Tool("datasketch-naive", "datasketch_lsh.py", "naive", "datasketch", ("datasketch==2.0.0",)),
    Tool("datasketch-bulk", "datasketch_lsh.py", "bulk", "datasketch", ("datasketch==2.0.0",)),
    Tool("rensa", "rensa_lsh.py", "", "rensa", ("rensa==0.5.0",)),
    Tool("gaoya-native", "gaoya_index.py", "native", "gaoya", ("gaoya==0.2.2",)),
    Tool("gaoya-shingles", "gaoya_index.py", "shingles", "gaoya", ("gaoya==0.2.2",)),
    Tool("text-dedup", "text_dedup_minhash.py", "", "text-dedup", ("text-dedup==0.4.0",)),
    Tool("datatrove", "datatrove_minhash.py", "", "datatrove", DATATROVE),
)


def ensure(tool: Tool, log: Path) -> None:
    """Create the tool's venv and install its requirements unless it is already there; compile ours's bytecode.

    Raises:
        RuntimeError: the venv could not be created or pip failed (the pip log is named in the message).
    """
    root = tool.python.parent.parent
    marker = root / ".benchmark-installed"
    installed = marker.exists()
    commands = []
    if not installed:
        if not tool.python.exists():
            commands.append([sys.executable, "-m", "venv", str(root)])
        requirements = ["-e", str(REPO)] if tool.venv == "ours" else list(tool.requirements)
        commands.append([str(tool.python), "-m", "pip", "install", "--disable-pip-version-check", *requirements])
    if tool.venv == "ours":
        # The working tree's bytecode, before each comparison, as pip compiles an installed package's (the peers'):
        # an editable install leaves it to the first import, which never writes it where `PYTHONDONTWRITEBYTECODE`
        # is set (as on this machine), and every run compiled the package from source again, about 80 ms a process.
        commands.append([str(tool.python), "-m", "compileall", "-q", str(REPO / "dedupe")])
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a", encoding="utf-8") as handle:
        for command in commands:
            handle.write("$ " + " ".join(command) + "\n")
            handle.flush()
            if subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, check=False).returncode != 0:
                raise RuntimeError(f"installing {tool.name} failed: see {log}")
    if not installed:
        marker.write_text("\n".join(tool.requirements or ("-e .",)) + "\n", encoding="utf-8")
