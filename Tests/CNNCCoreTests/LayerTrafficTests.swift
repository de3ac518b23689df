import CNNCCore
import Testing

/// The bytes `cnnc bench --per-layer` divides by a layer's time for its GB/s:
/// every input, the output and the weights, once each, in float32.
@Suite struct LayerTrafficTests {
    /// LeNet-5, counted by hand from its shapes and parameters.
    @Test func lenet5sLayersMoveTheirInputsOutputsAndWeights() throws {
        let model = try RepositoryFiles.model("Specs/lenet5.cnn.yaml")
        let bytes = model.layers.indices.map(model.trafficBytes(ofLayer:))
        #expect(bytes == [
            (784 + 4_704 + 156) * 4,       // conv2d: 28x28x1 in, 28x28x6 out, 5x5x6 + 6 weights
            (4_704 + 1_176) * 4,           // average_pooling2d
            (1_176 + 1_600 + 2_416) * 4,   // conv2d_1
            (1_600 + 400) * 4,             // average_pooling2d_1
            nil,                           // flatten: predict passes its input on
            (400 + 120 + 48_120) * 4,      // dense
            (120 + 84 + 10_164) * 4,       // dense_1
            (84 + 10 + 850) * 4,           // dense_2
        ])
    }

    /// A merge reads each of its inputs; a later call of a shared layer reads
    /// the weights its first call holds, though Keras counts them once.
    @Test func mergesReadEveryInputAndSharedLayersTheirWeights() throws {
        let model = try RepositoryFiles.model("Tests/Fixtures/keras/functional/json3/shared_layers.json")
        let subtract = try #require(model.layers.firstIndex { $0.className == "Subtract" })
        #expect(model.trafficBytes(ofLayer: subtract) == 3 * model.layers[subtract].outputShape.elementCount * 4)
        let shared = try #require(model.layers.firstIndex { $0.sharesWeightsOf != nil })
        let first = try #require(model.layers[shared].sharesWeightsOf)
        #expect(model.layers[shared].parameters == 0 && model.layers[first].parameters > 0)
        #expect(model.trafficBytes(ofLayer: shared) == model.trafficBytes(ofLayer: first))
    }
}
