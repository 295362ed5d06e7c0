"""One scripted headless Neovim session with ``tffix lsp`` (Neovim's own LSP client):
open a file, receive diagnostics, apply a quick fix, see the file re-checked.
Skipped, with the reason, where Neovim is not installed (CI installs no system packages)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the lsp extra (pygls) is not installed")

NVIM = shutil.which("nvim")
SCRIPT = Path(__file__).parent / "fixtures" / "lsp" / "nvim_session.lua"
SERVER = [sys.executable, "-c", "from tffix.app.cli import main; main()", "lsp"]

MAIN = """\
resource "aws_db_instance" "app" {
  identifier        = "app-db"
  engine            = "postgres"
  instance_class    = "db.t3.micro"
  allocated_storage = 20
  username          = "app"
  password          = var.db_password
}
"""


@pytest.mark.skipif(NVIM is None, reason="Neovim (nvim) is not installed: the headless Neovim session is skipped "
                                         "(apt-get install neovim to run it)")
def test_headless_neovim_gets_diagnostics_and_applies_a_quick_fix(tmp_path: Path) -> None:
    (tmp_path / ".tffix.toml").write_text('select = ["TFX101", "TFX711", "TFX713"]\n', encoding="utf-8")
    main_tf = tmp_path / "main.tf"
    main_tf.write_text(MAIN, encoding="utf-8")
    out = tmp_path / "result.json"
    env = {**os.environ, "TFFIX_LSP_CMD": json.dumps(SERVER), "TFFIX_FILE": str(main_tf), "TFFIX_RULE": "TFX711",
           "TFFIX_OUT": str(out), "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data")}
    proc = subprocess.run([NVIM, "--headless", "-u", "NONE", "-i", "NONE", "-n", "-c", f"luafile {SCRIPT}"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert out.exists(), proc.stderr + proc.stdout
    result = json.loads(out.read_text(encoding="utf-8"))
    assert "error" not in result, result
    assert result["before"] == ["TFX101", "TFX711", "TFX713"]
    assert any(t.startswith("TFX711: set copy_tags_to_snapshot = true") for t in result["steps"])
    assert result["after"] == ["TFX101", "TFX713"]
    assert "  copy_tags_to_snapshot = true\n" in result["text"] + "\n"
    assert main_tf.read_text(encoding="utf-8") == MAIN  # applied to the buffer; the file is not saved
