import CNNCCore
import Testing

/// The worked examples of the course lecture cnnc grew from, reproduced exactly.
@Suite struct SeedExamplesTests {
    /// The toy ConvNet's table: shapes and parameters per layer, as on the slide.
    @Test func toyConvNetTable() throws {
        let model = try RepositoryFiles.model("Specs/toy_convnet.cnn.yaml")
        let rows = model.layers.map { ($0.name, $0.outputShape.dimensions, $0.parameters) }
        let expected: [(String, [Int], Int)] = [
            ("conv1", [28, 28, 8], 608),      // 75 x 8 + 8
            ("pool1", [14, 14, 8], 0),
            ("conv2", [10, 10, 16], 3_216),   // 200 x 16 + 16
            ("pool2", [5, 5, 16], 0),
            ("flatten", [400], 0),
            ("fc3", [120], 48_120),           // 400 x 120 + 120
            ("fc4", [84], 10_164),            // 120 x 84 + 84
            ("softmax", [26], 2_210),         // 84 x 26 + 26
        ]
        #expect(rows.count == expected.count)
        for (row, want) in zip(rows, expected) {
            #expect(row.0 == want.0)
            #expect(row.1 == want.1)
            #expect(row.2 == want.2)
        }
        // The slide's "Activation Size" column.
        #expect(model.inputShape.elementCount == 3_072)
        #expect(model.layers.map(\.outputShape.elementCount) == [6_272, 1_568, 1_600, 400, 400, 120, 84, 26])
    }

    /// The 150x150x3 Keras model of the "Implementation Hints" slide.
    @Test func catsVsDogsModel() throws {
        let model = try RepositoryFiles.model("Specs/cats_vs_dogs.cnn.yaml")
        #expect(model.parameters == 5_615_553)
        #expect(model.nonTrainableParameters == 0)
        #expect(model.layers.map(\.name) == [
            "conv_1", "maxpool_1", "conv_2", "maxpool_2", "conv_3", "maxpool_3", "conv_4", "maxpool_4",
            "flatten", "dropout", "dense_1", "dense_2", "output",
        ])
        #expect(model.outputShape.dimensions == [1])
        // 554 MFLOPs per image, the figure the performance issue benchmarks against.
        #expect(model.flops / 1_000_000 == 554)
    }

    /// "What is the number of parameters to learn in this layer?": 2 x (27 + 1) and 10 x (27 + 1).
    @Test func learnableParameterQuestions() throws {
        let two = try RepositoryFiles.model("Specs/seed_volume_2_filters.cnn.yaml")
        #expect(two.layers[0].parameters == 56)
        #expect(two.layers[0].outputShape.dimensions == [4, 4, 2])
        let ten = try RepositoryFiles.model("Specs/seed_volume_10_filters.cnn.yaml")
        #expect(ten.layers[0].parameters == 280)
    }

    /// "No matter how big the image is, the number of parameters remains the same."
    @Test func parametersDoNotDependOnImageSize() throws {
        for side in [6, 100, 1000] {
            let spec = "input_shape: [\(side), \(side), 3]\nlayers:\n  - Conv2D: {filters: 10, kernel_size: 3}\n"
            let model = try Frontend.load(text: spec, file: "inline.yaml").get()
            #expect(model.parameters == 280)
        }
    }

    /// Output sizes: 6x6 * 3x3 → 4x4; the 6x6 padded by 1 (8x8) → 6x6; 7x7 with stride 2 → 3x3.
    @Test func outputSizeFormulaExamples() throws {
        #expect(try RepositoryFiles.model("Specs/seed_edge_6x6.cnn.yaml").outputShape.dimensions == [4, 4, 1])
        let padded = try RepositoryFiles.model("Specs/seed_padding_6x6.cnn.yaml")
        #expect(padded.layers[0].outputShape.dimensions == [8, 8, 1])
        #expect(padded.outputShape.dimensions == [6, 6, 1])
        #expect(try RepositoryFiles.model("Specs/seed_strided_7x7.cnn.yaml").outputShape.dimensions == [3, 3, 1])
    }

    /// floor((n + 2p - f) / s) + 1 for the lecture's cases, through the one rule cnnc uses.
    @Test(arguments: [
        (n: 6, f: 3, p: 0, s: 1, out: 4),
        (n: 6, f: 3, p: 1, s: 1, out: 6),
        (n: 7, f: 3, p: 0, s: 2, out: 3),
        (n: 6, f: 5, p: 2, s: 1, out: 6),
    ])
    func lectureOutputSize(n: Int, f: Int, p: Int, s: Int, out: Int) throws {
        let spec = """
            input_shape: [\(n), \(n), 1]
            layers:
              - ZeroPadding2D: {padding: \(p)}
              - Conv2D: {filters: 1, kernel_size: \(f), strides: \(s)}
            """
        let model = try Frontend.load(text: spec, file: "inline.yaml").get()
        #expect(model.outputShape.dimensions == [out, out, 1])
    }
}
