import CNNCRuntime
import Foundation

// Classifier IMAGE.npy [WEIGHTS.safetensors]
// Prints the class probabilities of each image in IMAGE.npy, shape
// (28, 28), (28, 28, 1) or a batch (N, 28, 28[, 1]), values in [0, 1].
// Without weights it uses Keras's initial weights (seed 42): the code path is
// the same, the answers are those of an untrained network.

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

/// Classifies every image in the file and prints one line per image.
func classify(imagePath: String, weightsPath: String?) throws(RuntimeError) {
    let model = try weightsPath.map { path throws(RuntimeError) in try Digits(contentsOf: path) } ?? Digits(seed: 42)
    if weightsPath == nil { print("(no weights given: untrained Keras-initialized weights, seed 42)") }
    let images = try NPYFile.read(path: imagePath)
    let count = try Digits.batchCount(of: images, path: imagePath)
    let probabilities = try model.predict(batch: images.values)
    for image in 0..<count {
        let row = Array(probabilities[(image * Digits.outputCount)..<((image + 1) * Digits.outputCount)])
        let best = row.indices.max { row[$0] < row[$1] }!
        let listing = row.enumerated().map { "\($0.offset): \(String(format: "%.4f", $0.element))" }.joined(separator: "  ")
        print("image \(image): digit \(best)   [\(listing)]")
    }
}

let arguments = CommandLine.arguments
guard arguments.count == 2 || arguments.count == 3 else {
    fail("usage: Classifier IMAGE.npy [WEIGHTS.safetensors]")
}
do {
    try classify(imagePath: arguments[1], weightsPath: arguments.count == 3 ? arguments[2] : nil)
} catch {
    fail(error.message)
}
