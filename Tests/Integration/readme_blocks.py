#!/usr/bin/env python3
"""Extracts the walkthrough from README.md: every fenced block preceded by
`<!-- walkthrough: PATH -->` is a file to write, `<!-- walkthrough: run -->`
blocks are shell commands, `<!-- walkthrough: expect -->` is output the
commands must print. Prints one script that runs the commands and writes the
files (under FOLDER, with /path/to/cnnc replaced by the checkout) in the
README's order, as a reader does; the expected output goes to FOLDER/expected.txt.

    python3 readme_blocks.py README.md FOLDER CHECKOUT > steps.sh
"""
import os
import re
import shlex
import sys

readme, folder, checkout = sys.argv[1:4]
text = open(readme, encoding="utf-8").read()
blocks = re.findall(r"<!-- walkthrough: (.+?) -->\s*\n```[a-z]*\n(.*?)```", text, re.S)
if not blocks:
    sys.exit("no walkthrough blocks in README.md")
steps, expected = [], []
for number, (kind, body) in enumerate(blocks):
    body = body.replace("/path/to/cnnc", checkout)
    if kind == "run":
        steps.append(body)
    elif kind == "expect":
        expected.append(body)
    else:
        # Written when the reader reaches it, after the commands before it
        # (`swift package init` makes a Package.swift the next block replaces).
        path = os.path.join(folder, kind)
        delimiter = f"CNNC_WALKTHROUGH_FILE_{number}"
        if not body.endswith("\n"):
            body += "\n"  # else the delimiter would not start a line
        steps.append(f"mkdir -p {shlex.quote(os.path.dirname(path))}\ncat > {shlex.quote(path)} <<'{delimiter}'\n{body}{delimiter}\n")
with open(os.path.join(folder, "expected.txt"), "w", encoding="utf-8") as handle:
    handle.write("".join(expected))
print("set -euo pipefail")
print("".join(steps))
