"""cnnc against ONNX Runtime on the same models, weights and inputs.

For each spec: make weights (or take --weights), build the same network as an
ONNX graph, check that ORT's outputs equal `cnnc predict`'s, then time both in
alternating rounds and print one table. Run it through Benchmarks/peer/run.sh,
which prepares the Python environment and builds cnnc; see README.md here.
"""
import argparse
import datetime
import os
import pathlib
import shlex
import subprocess
import sys
import tempfile

import numpy as np
import onnxruntime

import ort_timing
from cnnc_tool import Cnnc, CnncFailed
from model_weights import WeightsMismatch, load_weights, make_weights, save_weights
from onnx_graph import UnsupportedLayer, build_model

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def positive(kind):
    def parse(text):
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"'{text}' is not a number")
        if not value > 0 or value == float("inf"):
            raise argparse.ArgumentTypeError(f"must be positive, not '{text}'")
        return value
    return parse


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="Benchmarks/peer/run.sh", description=__doc__.split("\n\n")[0])
    parser.add_argument("specs", nargs="*", help="specs to compare (default: every Specs/*.cnn.yaml)")
    parser.add_argument("--threads", type=positive(int), nargs="+", default=[1], help="thread counts (default: 1)")
    parser.add_argument("--batch", type=positive(int), nargs="+", default=[1, 32], help="batch sizes (default: 1 32)")
    parser.add_argument("--weights", help="safetensors weights for the one spec given (default: made here, seeded)")
    parser.add_argument("--seconds", type=positive(float), default=1.0, help="timed seconds per side and round (default: 1)")
    parser.add_argument("--rounds", type=positive(int), default=3, help="alternating cnnc/ORT rounds (default: 3)")
    parser.add_argument("--tolerance", type=positive(float), default=1e-5, help="largest |cnnc - ORT| accepted (default: 1e-5)")
    parser.add_argument("--check-batch", type=positive(int), default=16, help="samples in the equality check (default: 16)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the made weights and the inputs (default: 1)")
    parser.add_argument("--check-only", action="store_true", help="only check that the outputs agree; time nothing")
    parser.add_argument("--cnnc", required=True, help="the cnnc executable (run.sh passes the one it built)")
    arguments = parser.parse_intermixed_args(argv)
    if not arguments.specs:
        arguments.specs = sorted(str(path.relative_to(ROOT)) for path in (ROOT / "Specs").glob("*.cnn.yaml"))
    for spec in arguments.specs:
        if not os.path.isfile(spec):
            parser.error(f"no spec file at {spec}")
    if arguments.weights is not None:
        if len(arguments.specs) != 1:
            parser.error("--weights belongs to one model: give exactly one spec with it")
        if not os.path.isfile(arguments.weights):
            parser.error(f"no weights file at {arguments.weights}")
    return arguments


def machine_description():
    model = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as cpuinfo:
            model = next((line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), model)
    except OSError:
        pass
    return f"{model}, {os.cpu_count()} logical cores"


def sgemm_peak():
    """The single-core SGEMM line of Benchmarks/sgemm_peak.py, with this venv's numpy (OpenBLAS)."""
    environment = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    result = subprocess.run([sys.executable, str(ROOT / "Benchmarks/sgemm_peak.py")], capture_output=True, text=True, env=environment)
    return result.stdout.strip() if result.returncode == 0 else f"(sgemm_peak.py failed: {result.stderr.strip()})"


def check_outputs(cnnc, spec, summary, weights_path, model_bytes, arguments, folder):
    """Max |cnnc - ORT| over a seeded batch of inputs in [0, 1)."""
    rng = np.random.default_rng(arguments.seed + 1)
    inputs = rng.random((arguments.check_batch, *summary["input_shape"]), dtype=np.float32)
    inputs_path, outputs_path = f"{folder}/check_inputs.npy", f"{folder}/check_outputs.npy"
    np.save(inputs_path, inputs)
    cnnc.predict(spec, weights_path, inputs_path, outputs_path)
    expected = np.load(outputs_path)
    actual = ort_timing.predict(ort_timing.session(model_bytes, 1), inputs)
    return float(np.max(np.abs(actual.reshape(expected.shape) - expected)))


def time_both(cnnc, spec, weights_path, sess, summary, batch, threads, arguments):
    """Median seconds per batch of cnnc and ORT: each the median of its round
    medians, the rounds alternating so both see the same machine state."""
    inputs = np.random.default_rng(arguments.seed + 2).random((batch, *summary["input_shape"]), dtype=np.float32)
    cnnc_rounds, ort_rounds = [], []
    for _ in range(arguments.rounds):
        cnnc_rounds.append(cnnc.bench(spec, weights_path, batch, threads, arguments.seconds)["median_ms"] / 1e3)
        ort_rounds.append(ort_timing.median_seconds(sess, inputs, arguments.seconds))
    return float(np.median(cnnc_rounds)), float(np.median(ort_rounds))


def compare(cnnc, spec, arguments, folder):
    """The table rows of one spec, and its max |cnnc - ORT|."""
    summary = cnnc.summary(spec)
    weights_path = arguments.weights or f"{folder}/weights.safetensors"
    if arguments.weights:
        weights = load_weights(summary, arguments.weights)
    else:
        weights = make_weights(summary, arguments.seed)
        save_weights(weights, weights_path)
    model_bytes = build_model(summary, weights).SerializeToString()
    difference = check_outputs(cnnc, spec, summary, weights_path, model_bytes, arguments, folder)
    status = "ok" if difference <= arguments.tolerance else f"MISMATCH (tolerance {arguments.tolerance:g})"
    print(f"check {summary['name']}: max |cnnc - ORT| = {difference:.2e} over {arguments.check_batch} samples: {status}", file=sys.stderr, flush=True)
    rows = []
    for threads in [] if arguments.check_only else arguments.threads:
        sess = ort_timing.session(model_bytes, threads)
        for batch in arguments.batch:
            cnnc_time, ort_time = time_both(cnnc, spec, weights_path, sess, summary, batch, threads, arguments)
            rows.append(dict(model=summary["name"], batch=batch, threads=threads, flops=summary["flops"],
                             cnnc=cnnc_time, ort=ort_time, difference=difference))
            print(f"  {summary['name']} batch {batch}, {threads} thread(s): cnnc {duration(cnnc_time)}, ORT {duration(ort_time)}", file=sys.stderr, flush=True)
    return rows, difference


def duration(seconds):
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    return f"{seconds * 1e6:.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def flops_text(flops):
    return f"{flops / 1e6:.2f} M" if flops >= 1e5 else f"{flops:,}"


def table(rows):
    lines = ["| model | batch | threads | FLOPs/image | cnnc median | ORT median | ORT/cnnc | cnnc GFLOP/s | ORT GFLOP/s |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for row in rows:
        work = row["flops"] * row["batch"] / 1e9
        lines.append(f"| {row['model']} | {row['batch']} | {row['threads']} | {flops_text(row['flops'])} | "
                     f"{duration(row['cnnc'])} | {duration(row['ort'])} | {row['ort'] / row['cnnc']:.2f} | "
                     f"{work / row['cnnc']:.2f} | {work / row['ort']:.2f} |")
    return "\n".join(lines)


def main(argv):
    arguments = parse_arguments(argv)
    cnnc = Cnnc(arguments.cnnc)
    start_load = os.getloadavg()[0]
    peak = "" if arguments.check_only else sgemm_peak()
    rows, failures, worst = [], [], 0.0
    for spec in arguments.specs:
        with tempfile.TemporaryDirectory(prefix="cnnc-peer-") as folder:
            try:
                spec_rows, difference = compare(cnnc, spec, arguments, folder)
            except (CnncFailed, UnsupportedLayer, WeightsMismatch) as error:
                failures.append(f"{spec}: {error}")
                print(f"error: {spec}: {error}", file=sys.stderr, flush=True)
                continue
        rows += spec_rows
        worst = max(worst, difference)
        if difference > arguments.tolerance:
            failures.append(f"{spec}: outputs differ by {difference:.2e} (> {arguments.tolerance:g})")
    if arguments.check_only:
        print(f"outputs checked equal on {len(arguments.specs) - len(failures)} of {len(arguments.specs)} specs: max |cnnc - ORT| = {worst:.2e} (tolerance {arguments.tolerance:g})")
        return report_failures(failures)
    command = "Benchmarks/peer/run.sh " + " ".join(shlex.quote(argument) for argument in argv if argument != arguments.cnnc and argument != "--cnnc")
    print(f"cnnc vs ONNX Runtime {onnxruntime.__version__} (CPU; intra_op_num_threads = threads, inter_op_num_threads=1, sequential, all graph optimizations)")
    print(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {machine_description()}; load average {start_load:.2f} at start, {os.getloadavg()[0]:.2f} at end")
    print(f"command: {command.strip()}")
    print(f"{peak} (one core's peak, to read GFLOP/s against)")
    print(f"outputs checked equal: max |cnnc - ORT| = {worst:.2e} over all models (tolerance {arguments.tolerance:g})")
    print(f"times: median per batch, the median of {arguments.rounds} alternating rounds of {arguments.seconds:g} s per side")
    print("ORT/cnnc = ORT time / cnnc time: above 1 means cnnc is faster\n")
    print(table(rows))
    return report_failures(failures)


def report_failures(failures):
    """Each failure again at the end, where it is seen; exit status 1 if any."""
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
