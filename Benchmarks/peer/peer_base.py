"""What every peer shares: the spec's model files they start from, and the
exception that turns a peer's column into "n/a (reason)" for one model.

A peer is a class with `key` (its --peers name), `name`, `version()`,
`settings()`, `prepare(model_files)` (raises PeerUnavailable when it cannot
run this model) and `runner(threads, inputs)`: an object whose `run()`
computes one batch of the bound `inputs` and `output()` returns the last
result as numpy, in Keras's layout.
"""
from dataclasses import dataclass
from typing import Optional


class PeerUnavailable(Exception):
    """This peer cannot run this model; the message says why, in a few words."""


@dataclass
class ModelFiles:
    cnnc: object  # cnnc_tool.Cnnc
    spec: str
    summary: dict
    weights_path: str
    folder: str  # a temporary folder of this spec's, for the peers' files
    batches: list  # every batch size a runner will be asked for: the check's and --batch's
    onnx_bytes: Optional[bytes]  # None when the summary has a layer onnx_graph.py cannot translate
    onnx_error: str


def first_line(error):
    """An exception's first line, short enough for a table cell."""
    text = str(error).strip()
    return text.splitlines()[0][:160] if text else type(error).__name__
