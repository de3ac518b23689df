import CNNCCore
import CNNCRuntime
import Foundation
import Testing

/// Keras 3 operations on a tensor and a number in a Functional model
/// (`x + 3.0`, `2 - x`, `x * (1 / 6)`, `x / 4`, `-x`), which cnnc computes as
/// Rescaling: Keras's own file and outputs
/// (make_functional_fixtures.py, `arithmetic_ops`) decide what each means.
@Suite struct KerasOperationTests {
    static let folder = "Tests/Fixtures/keras/functional"

    /// Each operation's map, applied in turn as the generated code applies a
    /// Rescaling (x·scale + offset in Float), gives what Keras computed.
    @Test func eachOperationComputesWhatKerasComputes() throws {
        let model = try RepositoryFiles.model("\(Self.folder)/json3/arithmetic_ops.json")
        #expect(model.layers.map(\.className) == ["Add", "Subtract", "Multiply", "TrueDivide", "Negative", "Subtract", "Multiply", "Divide"])
        try Self.expectMapsGive(model, "\(Self.folder)/outputs/arithmetic_ops")
    }

    /// tf.keras's TFOpLambda layers for the same arithmetic (the number as
    /// `y`, or first as `_CONSTANT_VALUE`), against what tf.keras computed.
    @Test func tfKerasOperationsComputeWhatTFKerasComputes() throws {
        let folder = "\(Self.folder)/keras2_operations/arithmetic_ops"
        let model = try RepositoryFiles.model("\(folder)/model.json")
        #expect(model.layers.count == 9 && model.layers.allSatisfy { $0.className == "TFOpLambda" })
        #expect(model.layers[1].name == "tf.math.subtract")
        try Self.expectMapsGive(model, folder)
    }

    static func expectMapsGive(_ model: CheckedModel, _ folder: String) throws {
        let input = try NPYFile.read(path: RepositoryFiles.path("\(folder)/input.npy"))
        let keras = try NPYFile.read(path: RepositoryFiles.path("\(folder)/output.npy"))
        var values = input.values
        for layer in model.layers {
            guard case .rescaling(let config) = layer.operation, config.writtenAs != nil else {
                Issue.record("\(layer.name) is not read as an operation")
                return
            }
            let scale = Float(config.scale[0]), offset = Float(config.offset[0])
            values = values.map { $0 * scale + offset }
        }
        #expect(keras.shape == input.shape)
        #expect(zip(values, keras.values).allSatisfy { abs($0 - $1) <= 1e-6 + 1e-6 * abs($1) })
    }

    /// MobileNetV3's hard sigmoid: `x + 3.0` and `* 0.16666666666666666`, with no parameters.
    @Test func mobileNetV3ReadsItsHardSigmoid() throws {
        let model = try RepositoryFiles.model("\(Self.folder)/json3/mobilenetv3small.json")
        let operations = model.layers.compactMap { layer -> ArithmeticOperation? in
            guard case .rescaling(let config) = layer.operation else { return nil }
            return config.writtenAs
        }
        #expect(operations.count == 18)
        #expect(operations.filter { $0.kind == .add && $0.number == 3 }.count == 9)
        #expect(operations.filter { $0.kind == .multiply && $0.number == 1.0 / 6.0 }.count == 9)
        #expect(model.parameters == 1_540_218)
    }

    /// What is not a map x·scale + offset of one tensor is refused, located, with what cnnc compiles instead.
    @Test func otherOperationsAreLocatedErrors() throws {
        func operation(_ name: String, _ module: String, _ arguments: String) -> (object: String, name: String) {
            (object: """
            {"module": "\(module)", "class_name": "\(name)", "config": {"name": "\(name.lowercased())"}, "registered_name": "\(name)",
             "name": "\(name.lowercased())", "inbound_nodes": [{"args": \(arguments), "kwargs": {}}]}
            """, name: name.lowercased())
        }
        let x = #"{"class_name": "__keras_tensor__", "config": {"shape": [null, 4], "dtype": "float32", "keras_history": ["input_layer", 0, 0]}}"#
        let cases: [((object: String, name: String), String)] = [
            (operation("Power", "keras.src.ops.numpy", "[\(x), 2.0]"), "the Keras operation 'keras.src.ops.numpy.Power' is not supported"),
            (operation("TrueDivide", "keras.src.ops.numpy", "[1.0, \(x)]"), "'keras.src.ops.numpy.TrueDivide' of a number by a tensor is not supported"),
            (operation("TrueDivide", "keras.src.ops.numpy", "[\(x), 0]"), "of a tensor by 0 is not supported"),
            (operation("TrueDivide", "keras.src.ops.numpy", "[\(x), \(x)]"), "is called on 2 tensors; cnnc compiles x + c"),
            (operation("Add", "keras.src.ops.numpy", "[\(x), \"3\"]"), "is called with \"3\"; cnnc takes a finite number"),
            (operation("Relu", "keras.src.ops.nn", "[\(x)]"), "the Keras operation 'keras.src.ops.nn.Relu' is not supported"),
            ((object: """
              {"class_name": "TFOpLambda", "name": "tf.math.pow", "config": {"name": "tf.math.pow", "trainable": true, "dtype": "float32",
               "function": "math.pow"}, "inbound_nodes": [["input_layer", 0, 0, {"y": 2.0, "name": null}]]}
              """, name: "tf.math.pow"), "the Keras operation 'tf.math.pow' is not supported"),
            ((object: """
              {"class_name": "TFOpLambda", "name": "tf.__operators__.add", "config": {"name": "tf.__operators__.add", "trainable": true,
               "dtype": "float32", "function": "__operators__.add"}, "inbound_nodes": [["input_layer", 0, 0, {"y": ["input_layer", 0, 0], "name": null}]]}
              """, name: "tf.__operators__.add"), "of two tensors (tf.keras's TFOpLambda) is not supported; save the model with Keras 3"),
        ]
        for (layer, message) in cases {
            let text = """
                {"module": "keras.src.models.functional", "class_name": "Functional", "config": {"name": "m", "trainable": true,
                 "layers": [{"module": "keras.layers", "class_name": "InputLayer", "registered_name": null, "name": "input_layer",
                   "config": {"batch_shape": [null, 4], "dtype": "float32", "sparse": false, "name": "input_layer"}, "inbound_nodes": []},
                   \(layer.object)],
                 "input_layers": [["input_layer", 0, 0]], "output_layers": [["\(layer.name)", 0, 0]]}}
                """
            guard case .failure(let failure) = Frontend.load(text: text, file: "m.json") else {
                Issue.record("accepted: \(message)")
                continue
            }
            let errors = failure.diagnostics.filter { $0.severity == .error }
            #expect(errors.count == 1 && errors.allSatisfy { $0.message.contains(message) && $0.location.line > 1 }, "\(errors.map(\.message))")
        }
    }
}
