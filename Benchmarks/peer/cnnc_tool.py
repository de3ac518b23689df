"""The cnnc commands the peer benchmark drives, each as a user would run it."""
import json
import subprocess


class CnncFailed(Exception):
    pass


class Cnnc:
    def __init__(self, executable):
        self.executable = executable

    def run(self, *arguments):
        """Standard output of `cnnc ARGUMENTS`; a failure carries cnnc's own error lines."""
        result = subprocess.run([self.executable, *arguments], capture_output=True, text=True)
        if result.returncode != 0:
            raise CnncFailed(f"cnnc {' '.join(arguments)} failed ({result.returncode}):\n{result.stderr.strip()}")
        return result.stdout

    def summary(self, spec):
        """The checked model: layers, shapes, resolved padding, FLOPs."""
        return json.loads(self.run("summary", "--format", "json", spec))

    def predict(self, spec, weights, inputs, outputs):
        """Builds the model (release, cached) and writes its outputs for `inputs` to `outputs` (.npy)."""
        self.run("predict", spec, "--weights", weights, "--input", inputs, "--output", outputs)

    def bench(self, spec, weights, batch, threads, seconds):
        """The JSON object `cnnc bench` prints last: median_ms, images_per_s, gflops, ..."""
        output = self.run("bench", spec, "--weights", weights, "--batch-size", str(batch),
                          "--threads", str(threads), "--seconds", str(seconds))
        return json.loads(output.strip().splitlines()[-1])

    def export(self, spec, weights, folder):
        """Writes the model as Keras has it into `folder`: model.json, weights.safetensors and model.keras."""
        self.run("export", spec, "--weights", weights, "--output", folder)
