@testable import CNNCData
import CNNCRuntime
import Foundation
import Testing

/// A model of one input and one output that is no classifier of images (a
/// segmentation head, scores at every pixel) trains on arrays named after its
/// input and output, as Keras's `fit(x, y)` takes any arrays, with class labels
/// at every pixel as `sparse_categorical_crossentropy` takes them. One SGD step
/// against the step written out here: softmax cross-entropy's gradient at each
/// pixel, (p − onehot) over the pixels and samples Keras's mean divides by.
@Suite struct SegmentationTrainingTests {
    @Test func aSegmentationHeadTrainsOnLabelsAtEveryPixel() throws {
        let folder = try GenerateAndPredictCommandTests.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let spec = folder.appendingPathComponent("segment.yaml").path
        try """
            input_shape: [2, 2, 2]
            layers:
              - Conv2D: {filters: 3, kernel_size: 1, activation: softmax, name: classes}
            """.write(toFile: spec, atomically: true, encoding: .utf8)
        let kernel: [Float] = [0.5, -0.25, 0.125, -0.5, 0.25, 0.75], bias: [Float] = [0.1, 0, -0.1]
        let weights = folder.appendingPathComponent("w.safetensors").path
        try SafeTensors.write(parameters: kernel + bias, layout: [TensorLayout(name: "classes.kernel", shape: [1, 1, 2, 3], offset: 0),
                                                                  TensorLayout(name: "classes.bias", shape: [3], offset: 6)],
                              metadata: [:], to: weights)
        let samples = 2, pixels = 4
        let x = (0..<(samples * pixels * 2)).map { Float(($0 * 7) % 5) / 4 - 0.5 }
        let labels: [Float] = [0, 1, 2, 1, 2, 2, 0, 1]
        let data = folder.appendingPathComponent("data.npz").path
        try NPZTensors.write([("input_layer", NPYFile(shape: [samples, 2, 2, 2], values: x)),
                              ("classes", NPYFile(shape: [samples, 2, 2], values: labels))], to: data)
        let saved = folder.appendingPathComponent("after.safetensors").path
        let run = try CommandLineTests.cnnc(["train", spec, "--data", "npz:\(data)", "--initial-weights", weights, "--epochs", "1",
                                             "--batch-size", "2", "--optimizer", "sgd", "--learning-rate", "1", "--save", saved],
                                            environment: ["CNNC_CACHE_DIR": folder.appendingPathComponent("cache").path])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("2 samples of 'input_layer', 'classes'"), "\(run.output)")

        // The step by hand, in Double, and the accuracy Keras's progress bar
        // shows for it: the share of pixels whose largest score is their label,
        // measured before the update.
        var gradient = [Double](repeating: 0, count: 9)
        var hits = 0
        for position in 0..<(samples * pixels) {
            let inputs = (0..<2).map { Double(x[position * 2 + $0]) }
            let logits = (0..<3).map { k in Double(bias[k]) + (0..<2).reduce(0) { $0 + inputs[$1] * Double(kernel[$1 * 3 + k]) } }
            let largest = logits.max()!, exps = logits.map { Foundation.exp($0 - largest) }, sum = exps.reduce(0, +)
            if logits.firstIndex(of: largest) == Int(labels[position]) { hits += 1 }
            for k in 0..<3 {
                let g = (exps[k] / sum - (Int(labels[position]) == k ? 1 : 0)) / Double(samples * pixels)
                for c in 0..<2 { gradient[c * 3 + k] += inputs[c] * g }
                gradient[6 + k] += g
            }
        }
        let accuracy = String(format: "accuracy: %.4f", Double(hits) / Double(samples * pixels))
        #expect(hits > 0 && hits < samples * pixels, "a test of accuracy needs some pixels right and some wrong")
        #expect(run.output.contains(accuracy), "\(accuracy) in \(run.output)")
        let expected = zip(kernel + bias, gradient).map { Double($0) - $1 }
        let after = try SafeTensors.read(path: saved).tensors
        let got = (after["classes.kernel"]?.values ?? []) + (after["classes.bias"]?.values ?? [])
        #expect(got.count == 9)
        #expect(zip(got, expected).allSatisfy { abs(Double($0) - $1) < 1e-6 }, "\(got) against \(expected)")
    }
}
