"""Front ends and I/O: the run API, discovery, safe file I/O, output formats, the CLI and the PR workflow."""
