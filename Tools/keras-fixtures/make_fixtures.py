#!/usr/bin/env python3
"""Make golden fixtures for cnnc from real Keras 3 (JAX backend).

Run from the repository root (Tools/keras-fixtures/run.sh does this):

    KERAS_BACKEND=jax python Tools/keras-fixtures/make_fixtures.py

For every spec in Specs/*.yaml and Tests/Fixtures/specs/*.yaml (sorted by
path; stem = file name without .yaml) it writes:

  Tests/Fixtures/keras/summary/<stem>.txt
      the exact bytes `model.summary()` prints to a non-terminal stdout.
  Tests/Fixtures/keras/summary-ll100/<stem>.txt   (SUMMARY_LL100 specs only)
      the same with `model.summary(line_length=100)`.  In a pure non-TTY
      run rich's console is 80 columns wide, so these lines are CROPPED at
      80 columns: that is what Keras really prints.
  Tests/Fixtures/keras/summary-ll100-columns120/<stem>.txt   (same specs)
      `model.summary(line_length=100)` with COLUMNS=120 in the environment
      (what a >=100-column terminal gives with stdout redirected): uncropped.
  Tests/Fixtures/keras/json3/<stem>.json
      `model.to_json()`, re-serialised with indent=2 plus a final newline.
  Tests/Fixtures/keras/VERSIONS.txt

How the summaries are captured: each summary is printed by a CHILD python
process (this same file, with --child) whose stdout is a regular file, whose
stdin is /dev/null and whose stderr is a pipe, so none of fds 0/1/2 is a
terminal; COLUMNS, LINES and the colour/TTY-forcing variables rich reads
(FORCE_COLOR, NO_COLOR, TTY_COMPATIBLE, TTY_INTERACTIVE, JUPYTER_COLUMNS,
JUPYTER_LINES) are removed from its environment.  That is byte for byte
`python script.py </dev/null >file 2>/dev/null` on a machine with no terminal.

Each model is built in a fresh Keras session (keras.backend.clear_session()),
so default layer names are the ones a fresh session gives (conv2d, conv2d_1...).

The script also checks that keras.models.model_from_json(to_json()) round-trips:
the restored model's config equals the original's, and its summary (printed by
a child process the same way) is byte-identical to the original's.
"""

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")

SPEC_DIRS = ["Specs", "Tests/Fixtures/specs"]
OUT = Path("Tests/Fixtures/keras")
SUMMARY_LL100 = {"toy_convnet", "every_layer", "long_names"}

# Environment variables that change what rich / shutil decide about the
# terminal (width, colour, interactivity).  Removed for the child processes.
TERMINAL_ENV = [
    "COLUMNS",
    "LINES",
    "FORCE_COLOR",
    "NO_COLOR",
    "TTY_COMPATIBLE",
    "TTY_INTERACTIVE",
    "JUPYTER_COLUMNS",
    "JUPYTER_LINES",
]



def spec_stem(path):
    """`toy_convnet.cnn.yaml` -> `toy_convnet`: the name before the first dot, as cnnc names outputs."""
    return path.name.split(".")[0]

def load_spec(path):
    import yaml

    with open(path) as f:
        spec = yaml.safe_load(f)
    return spec


def is_graph(spec):
    """A spec in cnnc's graph form: model inputs or outputs, or a layer naming what it reads."""
    layers = [item for item in spec.get("layers", []) if isinstance(item, dict)]
    return "inputs" in spec or "outputs" in spec or any(
        isinstance(kwargs, dict) and "inputs" in kwargs for item in layers for kwargs in item.values())


def build_model(spec):
    """Build the Keras 3 model a spec describes, in a fresh session: Sequential,
    or Functional for the graph form (make_functional_fixtures.build_graph)."""
    if is_graph(spec):
        import make_functional_fixtures

        return make_functional_fixtures.build_graph(spec)
    import keras

    keras.backend.clear_session()
    layers = []
    for item in spec["layers"]:
        if isinstance(item, str):  # a bare class name: a layer without arguments
            item = {item: {}}
        if not isinstance(item, dict) or len(item) != 1:
            raise ValueError(f"layer item must be a one-key mapping: {item!r}")
        (cls_name, kwargs), = item.items()
        kwargs = kwargs or {}
        cls = getattr(keras.layers, cls_name)
        layers.append(cls(**kwargs))
    return keras.Sequential(
        [keras.Input(shape=tuple(spec["input_shape"])), *layers],
        name=spec.get("name", "sequential"),
    )


# --------------------------------------------------------------------------
# Child mode: print one summary to this process's stdout and nothing else.
# --------------------------------------------------------------------------


def child_main(args):
    import keras

    if args.spec:
        model = build_model(load_spec(args.spec))
    else:
        keras.backend.clear_session()
        model = keras.models.model_from_json(Path(args.json).read_text())
    model.summary(line_length=args.line_length)
    sys.stdout.flush()


# --------------------------------------------------------------------------
# Parent mode.
# --------------------------------------------------------------------------


def child_env(extra=None):
    env = {k: v for k, v in os.environ.items() if k not in TERMINAL_ENV}
    env["KERAS_BACKEND"] = "jax"
    env["PYTHONIOENCODING"] = "utf-8"
    if extra:
        env.update(extra)
    return env


def run_summary(out_path, *, spec=None, json_path=None, line_length=None, extra_env=None):
    """Run a child that prints one summary with stdout redirected to out_path."""
    cmd = [sys.executable, os.path.abspath(__file__), "--child"]
    if spec is not None:
        cmd += ["--spec", str(spec)]
    if json_path is not None:
        cmd += ["--json", str(json_path)]
    if line_length is not None:
        cmd += ["--line-length", str(line_length)]
    out_path.parent.mkdir(parents=True, exist_ok=True)
    with open(out_path, "wb") as out:
        proc = subprocess.run(
            cmd,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.PIPE,
            env=child_env(extra_env),
        )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr.decode("utf-8", "replace"))
        raise SystemExit(f"summary child failed for {spec or json_path}")
    data = out_path.read_bytes()
    if b"\x1b" in data:
        raise SystemExit(f"ANSI escape found in {out_path}")
    return data


def versions_text():
    import importlib.metadata as md

    def v(name):
        try:
            return md.version(name)
        except md.PackageNotFoundError:
            return "not installed"

    lines = [
        f"python {platform.python_version()}",
        f"keras {v('keras')}",
        f"jax {v('jax')}",
        f"jaxlib {v('jaxlib')}",
        f"rich {v('rich')}",
        f"numpy {v('numpy')}",
        f"pyyaml {v('PyYAML')}",
        "backend jax (KERAS_BACKEND=jax)",
        f"date {datetime.date.today().isoformat()}",
        "summaries: stdout a regular file, stdin /dev/null, stderr a pipe, "
        "COLUMNS/LINES unset (summary-ll100-columns120: COLUMNS=120)",
    ]
    return "\n".join(lines) + "\n"


def parent_main(only=None):
    """Every spec's fixtures; `only`: the spec stems to refresh (the others,
    and VERSIONS.txt, are left as they are)."""
    import keras

    root = Path.cwd()
    if not (root / "Specs").is_dir():
        raise SystemExit("run from the repository root (no Specs/ here)")

    specs = sorted(p for d in SPEC_DIRS for p in (root / d).glob("*.yaml"))
    stems = [spec_stem(p) for p in specs]
    if only:
        unknown = set(only) - set(stems)
        if unknown:
            raise SystemExit(f"--only: no spec named {sorted(unknown)}")
    dup = {s for s in stems if stems.count(s) > 1}
    if dup:
        raise SystemExit(f"duplicate spec stems: {sorted(dup)}")

    failures = []
    for path in specs:
        stem = spec_stem(path)
        if only and stem not in only:
            continue
        rel = path.relative_to(root)
        print(f"{rel}", file=sys.stderr)
        spec = load_spec(path)

        # JSON (in this process; fresh session per model).
        try:
            model = build_model(spec)
        except Exception as e:  # report verbatim, keep going
            failures.append((str(rel), f"{type(e).__name__}: {e}"))
            print(f"  BUILD FAILED: {type(e).__name__}: {e}", file=sys.stderr)
            continue
        raw = model.to_json()
        config = json.loads(raw)
        json_path = OUT / "json3" / f"{stem}.json"
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

        keras.backend.clear_session()
        restored = keras.models.model_from_json(raw)
        assert json.loads(restored.to_json()) == config, f"{stem}: to_json round trip differs"

        # Summaries (child processes, stdout = file).
        summary = run_summary(OUT / "summary" / f"{stem}.txt", spec=rel)
        tmp = OUT / f".roundtrip-{stem}.txt"
        try:
            again = run_summary(tmp, json_path=json_path)
        finally:
            tmp.unlink(missing_ok=True)
        assert again == summary, f"{stem}: model_from_json summary differs"

        if stem in SUMMARY_LL100:
            run_summary(OUT / "summary-ll100" / f"{stem}.txt", spec=rel, line_length=100)
            run_summary(
                OUT / "summary-ll100-columns120" / f"{stem}.txt",
                spec=rel,
                line_length=100,
                extra_env={"COLUMNS": "120"},
            )

    if not only:
        (OUT / "VERSIONS.txt").write_text(versions_text(), encoding="utf-8")

    if failures:
        print("\nSpecs that Keras could not build:", file=sys.stderr)
        for rel, err in failures:
            print(f"  {rel}: {err}", file=sys.stderr)
        return 1
    print(f"wrote fixtures for {len(specs)} specs under {OUT}", file=sys.stderr)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--spec", help=argparse.SUPPRESS)
    ap.add_argument("--json", help=argparse.SUPPRESS)
    ap.add_argument("--line-length", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--only", action="append", metavar="STEM", help="refresh only this spec (repeatable)")
    args = ap.parse_args()
    if args.child:
        child_main(args)
        return 0
    return parent_main(args.only)


if __name__ == "__main__":
    sys.exit(main())
