"""cnnc against ONNX Runtime, OpenVINO and LiteRT on the same models, weights and inputs.

For each spec: make weights (or take --weights), build the same network as an
ONNX graph (ONNX Runtime, OpenVINO) and as a .tflite (LiteRT), check that each
peer's outputs equal `cnnc predict`'s, then time cnnc and the peers in
alternating rounds and print one table. Run it through Benchmarks/peer/run.sh,
which prepares the Python environment and builds cnnc; see README.md here.
"""
import argparse
import datetime
import importlib
import os
import pathlib
import shlex
import subprocess
import sys
import tempfile

import numpy as np

import timing
from cnnc_tool import Cnnc, CnncFailed
from model_weights import WeightsMismatch, load_weights, make_weights, save_weights
from onnx_graph import UnsupportedLayer, build_model
from peer_base import ModelFiles, PeerUnavailable, first_line

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent.parent
# --peers name: (module, class), in the table's order.
PEERS = {"ort": ("peer_ort", "OnnxRuntime"), "openvino": ("peer_openvino", "OpenVino"), "litert": ("peer_litert", "LiteRT")}


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


def peer_list(text):
    keys = [key.strip() for key in text.split(",") if key.strip()]
    unknown = [key for key in keys if key not in PEERS]
    if unknown or not keys:
        raise argparse.ArgumentTypeError(f"'{text}': peers are {', '.join(PEERS)}, comma-separated")
    return list(dict.fromkeys(keys))


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="Benchmarks/peer/run.sh", description=__doc__.split("\n\n")[0])
    parser.add_argument("specs", nargs="*", help="specs to compare (default: every Specs/*.cnn.yaml)")
    parser.add_argument("--threads", type=positive(int), nargs="+", default=[1], help="thread counts (default: 1)")
    parser.add_argument("--batch", type=positive(int), nargs="+", default=[1, 32], help="batch sizes (default: 1 32)")
    parser.add_argument("--weights", help="safetensors weights for the one spec given (default: made here, seeded)")
    parser.add_argument("--seconds", type=positive(float), default=1.0, help="timed seconds per side and round (default: 1)")
    parser.add_argument("--peers", type=peer_list, default=list(PEERS), help=f"peers to run, comma-separated (default: {','.join(PEERS)})")
    parser.add_argument("--rounds", type=positive(int), default=3, help="alternating cnnc/peers rounds (default: 3)")
    parser.add_argument("--tolerance", type=positive(float), default=1e-5, help="largest |cnnc - peer| accepted (default: 1e-5)")
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


def load_peers(keys):
    """The selected peers, in --peers order; one whose package does not import is left out, and said so."""
    peers, missing = [], []
    for key in keys:
        module, cls = PEERS[key]
        try:
            peers.append(getattr(importlib.import_module(module), cls)())
        except ImportError as error:
            missing.append(f"{key}: {error}")
    return peers, missing


class SeveralInputsOrOutputs(Exception):
    """A model the benchmark leaves out: it feeds one input and compares one output."""


class Check:
    """One peer's equality check on one spec: ok, a mismatch, or n/a with the reason."""

    def __init__(self, difference=None, reason=None):
        self.difference, self.reason = difference, reason

    def passed(self, tolerance):
        return self.reason is None and self.difference <= tolerance

    def describe(self, tolerance, samples):
        if self.reason is not None:
            return f"n/a ({self.reason})"
        status = "ok" if self.difference <= tolerance else f"MISMATCH (tolerance {tolerance:g})"
        return f"max |cnnc - peer| = {self.difference:.2e} over {samples} samples: {status}"


def check_peer(peer, model, inputs, expected):
    """Prepares `peer` for the model and compares its outputs for `inputs` with cnnc's."""
    try:
        peer.prepare(model)
        runner = peer.runner(1, inputs)
        runner.run()
        actual = runner.output()
    except PeerUnavailable as error:
        return Check(reason=str(error))
    except Exception as error:  # a peer library's own failure (RuntimeError, ValueError, ...) is its n/a
        return Check(reason=f"{type(error).__name__}: {first_line(error)}")
    if actual.size != expected.size:
        return Check(reason=f"output shape {actual.shape}, cnnc's is {expected.shape}")
    return Check(difference=float(np.max(np.abs(actual.reshape(expected.shape) - expected))))


def time_all(cnnc, spec, weights_path, peers, summary, batch, threads, arguments):
    """Median seconds per batch of cnnc and of each peer ({key: seconds or "n/a (reason)"}):
    each the median of its round medians, the rounds alternating cnnc, peer, peer, ...
    so all see the same machine state."""
    inputs = np.random.default_rng(arguments.seed + 2).random((batch, *summary["input_shape"]), dtype=np.float32)
    runners, results = {}, {}
    for peer in peers:
        try:
            runners[peer.key] = peer.runner(threads, inputs)
        except Exception as error:
            results[peer.key] = f"n/a ({type(error).__name__}: {first_line(error)})"
    cnnc_rounds, peer_rounds = [], {key: [] for key in runners}
    for _ in range(arguments.rounds):
        cnnc_rounds.append(cnnc.bench(spec, weights_path, batch, threads, arguments.seconds)["median_ms"] / 1e3)
        for key, runner in runners.items():
            peer_rounds[key].append(timing.median_seconds(runner.run, arguments.seconds))
    results.update({key: float(np.median(rounds)) for key, rounds in peer_rounds.items()})
    return float(np.median(cnnc_rounds)), results


def compare(cnnc, spec, peers, arguments, folder):
    """The table rows of one spec, and each peer's Check."""
    summary = cnnc.summary(spec)
    if len(summary["inputs"]) != 1 or len(summary["outputs"]) != 1:
        raise SeveralInputsOrOutputs(f"{summary['name']} has {len(summary['inputs'])} input(s) and {len(summary['outputs'])} output(s); "
                                     "the benchmark feeds one input and compares one output")
    weights_path = arguments.weights or f"{folder}/weights.safetensors"
    if arguments.weights:
        weights = load_weights(summary, arguments.weights)
    else:
        weights = make_weights(summary, arguments.seed)
        save_weights(weights, weights_path)
    try:
        onnx_bytes, onnx_error = build_model(summary, weights).SerializeToString(), ""
    except UnsupportedLayer as error:
        onnx_bytes, onnx_error = None, f"no ONNX graph: {error}"
    batches = sorted({arguments.check_batch, *([] if arguments.check_only else arguments.batch)})
    model = ModelFiles(cnnc=cnnc, spec=spec, summary=summary, weights_path=weights_path, folder=folder,
                       batches=batches, onnx_bytes=onnx_bytes, onnx_error=onnx_error)
    rng = np.random.default_rng(arguments.seed + 1)
    inputs = rng.random((arguments.check_batch, *summary["input_shape"]), dtype=np.float32)
    inputs_path, outputs_path = f"{folder}/check_inputs.npy", f"{folder}/check_outputs.npy"
    np.save(inputs_path, inputs)
    cnnc.predict(spec, weights_path, inputs_path, outputs_path)
    expected = np.load(outputs_path)
    checks = {}
    for peer in peers:
        checks[peer.key] = check_peer(peer, model, inputs, expected)
        print(f"check {summary['name']} {peer.name}: {checks[peer.key].describe(arguments.tolerance, arguments.check_batch)}",
              file=sys.stderr, flush=True)
    timed = [peer for peer in peers if checks[peer.key].passed(arguments.tolerance)]
    rows = []
    for threads in [] if arguments.check_only else arguments.threads:
        for batch in arguments.batch:
            cnnc_time, peer_times = time_all(cnnc, spec, weights_path, timed, summary, batch, threads, arguments)
            for peer in peers:
                if peer.key not in peer_times:
                    check = checks[peer.key]
                    peer_times[peer.key] = (f"n/a ({check.reason})" if check.reason is not None
                                            else f"n/a (outputs differ by {check.difference:.1e})")
            rows.append(dict(model=summary["name"], batch=batch, threads=threads, flops=summary["flops"],
                             cnnc=cnnc_time, peers=peer_times))
            said = ", ".join(f"{peer.name} {cell(peer_times[peer.key])}" for peer in peers)
            print(f"  {summary['name']} batch {batch}, {threads} thread(s): cnnc {duration(cnnc_time)}, {said}", file=sys.stderr, flush=True)
    return rows, checks


def duration(seconds):
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    return f"{seconds * 1e6:.1f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def cell(time_or_reason):
    return duration(time_or_reason) if isinstance(time_or_reason, float) else time_or_reason


def flops_text(flops):
    return f"{flops / 1e6:.2f} M" if flops >= 1e5 else f"{flops:,}"


def table(rows, peers):
    names = " | ".join(peer.name for peer in peers)
    lines = [f"| model | batch | threads | FLOPs/image | cnnc | {names} | cnnc / best peer | cnnc GFLOP/s | best peer GFLOP/s |",
             "|---|---:|---:|---:|---:|" + "---:|" * len(peers) + "---:|---:|---:|"]
    for row in rows:
        work = row["flops"] * row["batch"] / 1e9
        times = {peer.name: row["peers"][peer.key] for peer in peers if isinstance(row["peers"][peer.key], float)}
        if times:
            best = min(times, key=times.get)
            ratio, best_rate = f"{times[best] / row['cnnc']:.2f} ({best})", f"{work / times[best]:.2f}"
        else:
            ratio, best_rate = "n/a (no peer ran)", "n/a"
        peer_cells = " | ".join(cell(row["peers"][peer.key]) for peer in peers)
        lines.append(f"| {row['model']} | {row['batch']} | {row['threads']} | {flops_text(row['flops'])} | "
                     f"{duration(row['cnnc'])} | {peer_cells} | {ratio} | {work / row['cnnc']:.2f} | {best_rate} |")
    return "\n".join(lines)


def check_report(peers, specs, results, tolerance, samples):
    """Per peer: on how many specs its outputs equal cnnc's, the largest difference, and every other spec with why."""
    lines = []
    for peer in peers:
        checks = {spec: results[spec][peer.key] for spec in specs if spec in results}
        passed = [spec for spec, check in checks.items() if check.passed(tolerance)]
        differences = [check.difference for check in checks.values() if check.reason is None]
        worst = f"max |cnnc - {peer.name}| = {max(differences):.2e}" if differences else "no spec compared"
        lines.append(f"{peer.name}: outputs equal cnnc's on {len(passed)} of {len(specs)} specs, {worst} (tolerance {tolerance:g})")
        for spec, check in checks.items():
            if not check.passed(tolerance):
                lines.append(f"  {spec}: {check.describe(tolerance, samples)}")
    return "\n".join(lines)


def main(argv):
    arguments = parse_arguments(argv)
    cnnc = Cnnc(arguments.cnnc)
    peers, missing = load_peers(arguments.peers)
    for problem in missing:
        print(f"peer left out, its package does not import: {problem}", file=sys.stderr, flush=True)
    start_load = os.getloadavg()[0]
    peak = "" if arguments.check_only else sgemm_peak()
    rows, failures, skipped, results = [], [], [], {}
    for spec in arguments.specs:
        with tempfile.TemporaryDirectory(prefix="cnnc-peer-") as folder:
            try:
                spec_rows, checks = compare(cnnc, spec, peers, arguments, folder)
            except SeveralInputsOrOutputs as error:
                skipped.append(f"{spec}: {error}")
                print(f"skipped {spec}: {error}", file=sys.stderr, flush=True)
                continue
            except (CnncFailed, WeightsMismatch) as error:
                failures.append(f"{spec}: {error}")
                print(f"error: {spec}: {error}", file=sys.stderr, flush=True)
                continue
        rows += spec_rows
        results[spec] = checks
        for peer in peers:
            check = checks[peer.key]
            if check.reason is None and check.difference > arguments.tolerance:
                failures.append(f"{spec}: {peer.name}'s outputs differ from cnnc's by {check.difference:.2e} (> {arguments.tolerance:g})")
    report = check_report(peers, arguments.specs, results, arguments.tolerance, arguments.check_batch)
    report += "".join(f"\nskipped {line}" for line in skipped)
    if arguments.check_only:
        print(report)
        return report_failures(failures)
    command = "Benchmarks/peer/run.sh " + " ".join(shlex.quote(argument) for argument in argv if argument != arguments.cnnc and argument != "--cnnc")
    print("cnnc vs " + ", ".join(f"{peer.name} {peer.version()}" for peer in peers))
    for peer in peers:
        print(f"  {peer.name}: {peer.settings()}")
    print(f"{datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {machine_description()}; load average {start_load:.2f} at start, {os.getloadavg()[0]:.2f} at end")
    print(f"command: {command.strip()}")
    print(f"{peak} (one core's peak, to read GFLOP/s against)")
    print(report)
    print(f"times: median per batch, the median of {arguments.rounds} alternating rounds of {arguments.seconds:g} s per side")
    print("cnnc / best peer = the fastest peer's time / cnnc's time: above 1 means cnnc is faster\n")
    print(table(rows, peers))
    return report_failures(failures)


def report_failures(failures):
    """Each failure again at the end, where it is seen; exit status 1 if any."""
    for failure in failures:
        print(f"error: {failure}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
