#!/usr/bin/env python3
"""Extracts the walkthrough from README.md: every fenced block preceded by
`<!-- walkthrough: PATH -->` is a file to write, `<!-- walkthrough: run -->`
blocks are shell commands, `<!-- walkthrough: expect -->` is output the
commands must print. Writes the files under FOLDER (with /path/to/cnnc replaced
by the checkout) and prints the commands as one script; the expected output
goes to FOLDER/expected.txt.

    python3 readme_blocks.py README.md FOLDER CHECKOUT > steps.sh
"""
import os
import re
import sys

readme, folder, checkout = sys.argv[1:4]
text = open(readme, encoding="utf-8").read()
blocks = re.findall(r"<!-- walkthrough: (.+?) -->\s*\n```[a-z]*\n(.*?)```", text, re.S)
if not blocks:
    sys.exit("no walkthrough blocks in README.md")
commands, expected = [], []
for kind, body in blocks:
    body = body.replace("/path/to/cnnc", checkout)
    if kind == "run":
        commands.append(body)
    elif kind == "expect":
        expected.append(body)
    else:
        path = os.path.join(folder, kind)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(body)
with open(os.path.join(folder, "expected.txt"), "w", encoding="utf-8") as handle:
    handle.write("".join(expected))
print("set -euo pipefail")
print("".join(commands))
