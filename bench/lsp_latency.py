"""How fast ``tffix lsp`` answers, measured from the client side over stdio.

Usage: python bench/lsp_latency.py [--module DIR] [--rounds N] [--debounce MS]

The module is a generated one of 1,000 lines (``main.tf`` of 800 lines, open in
the editor: IAM roles and policy documents, and every fourth resource one with
findings (a database, a volume, a log group, an open security group, a key);
``variables.tf`` of 200 lines on disk: variables and outputs), or a copy of DIR
(``--module``, e.g. a module of a corpus; the first ``.tf`` file is the one
opened). Per round, the client sends an incremental change (a value edited on
one line) and measures:

* **diagnostics**: from sending the change to receiving the diagnostics for that
  version; this includes the server's debounce (10 ms by default: quiet time
  after a change before checking, so typing does not start a check per key);
* **code action**: a code action request on a finding's line (what a click on
  the light bulb does), as soon as the diagnostics are in, again after a pause
  (``--pause``), and right after a change, before its diagnostics (the server
  checks first). The client declares, as VS Code does, that it resolves an
  action's edit when the action is chosen, so the list needs no fix to run;
  the edit of a chosen quick fix (``codeAction/resolve``) is measured apart;
* hover, fix-all (resolved) and formatting, once per round.

The peers in the same run: a check of the module from scratch, called in this
process (``run_module_texts``: every file parsed), the check as the server runs
it per change (the same edits, each check taking over the parsed files of the
last one: only what changed is parsed again), and ``tffix --check`` on the same
module as a new process per change (what an editor integration without a server
would pay).
Budgets: diagnostics within 100 ms of a change, a code action within 50 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from lsp_client import Client, uri  # noqa: E402
from lsprotocol import types  # noqa: E402

# a module as modules are: mostly variables, outputs, locals and settled resources, and a few
# resources with findings (a database, a volume, a log group, an open security group, a key)
VARIABLE = '''variable "setting_{i}" {{
  description = "Setting {i} of the service"
  type        = string
  default     = "value-{i}"
}}
'''
OUTPUT = '''output "id_{i}" {{
  description = "Identifier {i}"
  value       = aws_iam_role.task_{r}.arn
}}
'''
ROLE = '''resource "aws_iam_role" "task_{i}" {{
  name               = "task-{i}"
  assume_role_policy = data.aws_iam_policy_document.assume_{i}.json

  tags = local.tags
}}

data "aws_iam_policy_document" "assume_{i}" {{
  statement {{
    actions = ["sts:AssumeRole"]

    principals {{
      type        = "Service"
      identifiers = ["ecs-tasks.amazonaws.com"]
    }}
  }}
}}
'''
FINDINGS = [
    '''resource "aws_db_instance" "db_{i}" {{
  identifier        = "app-db-{i}"
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  allocated_storage = 20
  username          = "app"
  password          = var.db_password
}}
''',
    '''resource "aws_ebs_volume" "data_{i}" {{
  availability_zone = "eu-west-1a"
  size              = 40
}}
''',
    '''resource "aws_cloudwatch_log_group" "app_{i}" {{
  name = "/app/{i}"
}}
''',
    '''resource "aws_security_group" "bastion_{i}" {{
  name   = "bastion-{i}"
  vpc_id = var.vpc_id

  ingress {{
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
''',
    '''resource "aws_kms_key" "key_{i}" {{
  description             = "key {i}"
  deletion_window_in_days = 10
}}
''',
]
HEADER = '''variable "db_password" {
  type      = string
  sensitive = true
}

variable "vpc_id" {
  type = string
}

locals {
  tags = {
    Service = "app"
    Team    = "platform"
  }
}
'''


def generate(directory: Path, lines: int = 1000) -> Path:
    """A module of ``lines`` lines: main.tf (80%: resources, with findings) and
    variables.tf (variables and outputs, on disk)."""
    main_text = HEADER
    i = 0
    while main_text.count("\n") < lines * 0.8:
        main_text += "\n" + (FINDINGS[(i // 4) % len(FINDINGS)] if i % 4 == 0 else ROLE).format(i=i)
        i += 1
    roles = [n for n in range(i) if n % 4]
    others = ""
    n = 0
    while others.count("\n") + main_text.count("\n") < lines:
        block = VARIABLE.format(i=n) if n % 3 else OUTPUT.format(i=n, r=roles[n % len(roles)])
        others += ("\n" if others else "") + block
        n += 1
    (directory / "main.tf").write_text(main_text, encoding="utf-8")
    (directory / "variables.tf").write_text(others, encoding="utf-8")
    return directory / "main.tf"


def _ms(seconds: float) -> float:
    return seconds * 1000


def _stats(name: str, values: list[float], budget: float | None = None) -> str:
    values = sorted(values)
    p90 = values[min(len(values) - 1, int(len(values) * 0.9))]
    line = (f"{name:<44} median {statistics.median(values):7.1f} ms   p90 {p90:7.1f} ms   "
            f"max {values[-1]:7.1f} ms   (n={len(values)})")
    if budget is not None:
        within = sum(v <= budget for v in values)
        line += f"   budget {budget:.0f} ms: {within}/{len(values)} within"
    return line


def _edit_line(text: str) -> int:
    """A line to edit: the first ``allocated_storage`` / ``size`` / ``name`` value, else line 1."""
    for n, line in enumerate(text.splitlines()):
        if line.strip().startswith(("allocated_storage", "size ", "name ")):
            return n
    return 0


async def measure(main_tf: Path, rounds: int, debounce: float | None, pause: float) -> dict[str, list[float]]:
    client = Client()
    options = {"debounceMs": debounce} if debounce is not None else None
    await client.start(main_tf.parent, options)
    out: dict[str, list[float]] = {k: [] for k in (
        "open", "diagnostics", "code action (as its diagnostics arrive)", "code action (checked buffer)",
        "code action (right after a change)", "hover",
        "quick fix (resolve)", "fix all (resolve)", "formatting")}
    try:
        sent = time.perf_counter()
        mark = client.open(main_tf)
        arrived, diags = await client.diagnostics(main_tf, 1, mark)
        out["open"].append(_ms(arrived - sent))
        print(f"{main_tf.parent.name}: {sum(p.read_text().count(chr(10)) for p in main_tf.parent.glob('*.tf'))} "
              f"lines, {len(diags)} diagnostics in {main_tf.name}", flush=True)
        line = _edit_line(client.buffers[uri(main_tf)])
        text_line = client.buffers[uri(main_tf)].splitlines()[line]
        finding_line = diags[0].range.start.line if diags else 0
        for n in range(rounds):
            # change one character of a value (a digit appended, then removed)
            end = len(text_line)
            if n % 2 == 0:
                start = types.Position(line, end)
                sent = time.perf_counter()
                mark = client.change(main_tf, start, start, "0")
            else:
                sent = time.perf_counter()
                mark = client.change(main_tf, types.Position(line, end), types.Position(line, end + 1), "")
            version = client.versions[uri(main_tf)]
            arrived, diags = await client.diagnostics(main_tf, version, mark)
            out["diagnostics"].append(_ms(arrived - sent))
            t = time.perf_counter()
            await client.code_actions(main_tf, finding_line)
            out["code action (as its diagnostics arrive)"].append(_ms(time.perf_counter() - t))
            await asyncio.sleep(pause)
            t = time.perf_counter()
            actions = await client.code_actions(main_tf, finding_line)
            out["code action (checked buffer)"].append(_ms(time.perf_counter() - t))
            t = time.perf_counter()
            await client.lsp.text_document_hover_async(types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri(main_tf)),
                position=types.Position(finding_line, 1)))
            out["hover"].append(_ms(time.perf_counter() - t))
            quick = next((a for a in actions if a.kind == "quickfix"), None)
            if quick is not None:
                t = time.perf_counter()
                await client.lsp.code_action_resolve_async(quick)
                out["quick fix (resolve)"].append(_ms(time.perf_counter() - t))
            fix_all = next((a for a in actions if a.kind == "source.fixAll.tffix"), None)
            if fix_all is not None and n < 3:
                t = time.perf_counter()
                await client.lsp.code_action_resolve_async(fix_all)
                out["fix all (resolve)"].append(_ms(time.perf_counter() - t))
            t = time.perf_counter()
            await client.lsp.text_document_formatting_async(types.DocumentFormattingParams(
                text_document=types.TextDocumentIdentifier(uri=uri(main_tf)),
                options=types.FormattingOptions(tab_size=2, insert_spaces=True)))
            out["formatting"].append(_ms(time.perf_counter() - t))
        for n in range(rounds):  # a code action right after a change: the server checks first
            end = len(text_line)
            if n % 2 == 0:
                start = types.Position(line, end)
                mark = client.change(main_tf, start, start, "0")
            else:
                mark = client.change(main_tf, types.Position(line, end), types.Position(line, end + 1), "")
            t = time.perf_counter()
            await client.code_actions(main_tf, finding_line)
            out["code action (right after a change)"].append(_ms(time.perf_counter() - t))
            await client.diagnostics(main_tf, client.versions[uri(main_tf)], mark)
    finally:
        await client.stop()
    return out


def engine_alone(main_tf: Path, rounds: int) -> list[float]:
    """The check the server runs per change, called in this process: the engine's share."""
    from tffix.app.run import Settings, run_module_texts
    text = main_tf.read_text(encoding="utf-8")
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        run_module_texts(main_tf.parent, {main_tf: text}, Settings(mode="check"))
        times.append(_ms(time.perf_counter() - t))
    return times


def server_check_alone(main_tf: Path, rounds: int) -> list[float] | None:
    """The check as the server runs it per change: the same one-character edits, each
    check taking over the trees of the one before (``Trees``), in this process. None
    when this tffix has no ``Trees`` (it parses every file per check)."""
    try:
        from tffix.app.lsp.server import run_check
        from tffix.app.run import Trees
    except ImportError:
        return None
    text = main_tf.read_text(encoding="utf-8")
    line = _edit_line(text)
    lines = text.split("\n")
    edited = "\n".join([*lines[:line], lines[line] + "0", *lines[line + 1:]])
    trees = Trees()
    run_check(main_tf.parent, 0, {main_tf: text}, {main_tf: 1}, trees)
    times = []
    for n in range(rounds):
        t = time.perf_counter()
        run_check(main_tf.parent, n + 1, {main_tf: edited if n % 2 == 0 else text}, {main_tf: n + 2}, trees)
        times.append(_ms(time.perf_counter() - t))
    return times


def cli_peer(directory: Path, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-c", "from tffix.app.cli import main; main()", "--check",
                        "--no-progress", "--jobs", "1", str(directory)], capture_output=True, check=False)
        times.append(_ms(time.perf_counter() - t))
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--module", type=Path, help="a module directory to copy (default: a generated one)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--debounce", type=float, default=None, help="the server's debounce in ms (default: its own)")
    parser.add_argument("--pause", type=float, default=0.5,
                        help="seconds between a change's diagnostics and the code action on a checked buffer")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp) / "module"
        if args.module:
            shutil.copytree(args.module, directory, ignore=shutil.ignore_patterns(".*"))
            main_tf = sorted(p for p in directory.glob("*.tf"))[0]
        else:
            directory.mkdir()
            main_tf = generate(directory)
        results = asyncio.run(measure(main_tf, args.rounds, args.debounce, args.pause))
        engine = engine_alone(main_tf, args.rounds)
        server_check = server_check_alone(main_tf, args.rounds)
        peer = cli_peer(directory, max(3, args.rounds // 4))
    print(_stats("open -> first diagnostics", results["open"]))
    print(_stats("change -> diagnostics", results["diagnostics"], 100))
    print(_stats("code action, as its diagnostics arrive", results["code action (as its diagnostics arrive)"]))
    print(_stats(f"code action, {args.pause:g} s later", results["code action (checked buffer)"], 50))
    print(_stats("code action (right after a change)", results["code action (right after a change)"]))
    print(_stats("hover", results["hover"]))
    if results["quick fix (resolve)"]:
        print(_stats("quick fix edit (resolve, when chosen)", results["quick fix (resolve)"]))
    if results["fix all (resolve)"]:
        print(_stats("fix all (resolve)", results["fix all (resolve)"]))
    print(_stats("formatting", results["formatting"]))
    print(_stats("the check alone (run_module_texts, in process)", engine))
    if server_check is not None:
        print(_stats("the server's check per change (in process)", server_check))
    print(_stats("peer: tffix --check, a process per change", peer))


if __name__ == "__main__":
    main()
