import CNNCCore
import Foundation
import Testing

/// Every broken spec in Tests/Fixtures/broken gets exactly the located
/// diagnostics its `.expected` file lists, and no input crashes the checker.
@Suite struct BrokenSpecTests {
    static let folder = "Tests/Fixtures/broken"
    static let corpus = RepositoryFiles.files(in: folder, extensions: ["yaml", "json"])

    static func diagnostics(_ path: String) -> [String]? {
        guard case .failure(let error) = Frontend.load(path: path) else { return nil }
        return error.diagnostics.map(\.description)
    }

    @Test func corpusCoversTheIssueList() {
        #expect(Self.corpus.count >= 30)
    }

    @Test(arguments: corpus)
    func brokenSpecGetsItsDiagnostics(file: String) throws {
        let full = RepositoryFiles.path(file)
        let directory = RepositoryFiles.path(Self.folder) + "/"
        let expected = try RepositoryFiles.read(file + ".expected").split(separator: "\n").map(String.init)
        let got = try #require(Self.diagnostics(full), "\(file) was accepted")
        #expect(got.map { $0.replacingOccurrences(of: directory, with: "") } == expected)
        #expect(!expected.isEmpty)
        for line in expected {
            // Besides errors, only the list of supported layers, once, after an unknown one.
            #expect(line.contains(": error: ") || line.contains(": note: the layers cnnc supports: "), "not a located error: \(line)")
        }
    }

    /// What Keras takes is not refused: an epsilon of 1 or more (any positive one).
    @Test func normalizationsTakeAnyPositiveEpsilon() throws {
        let text = "input_shape: [4, 4, 2]\nlayers:\n  - BatchNormalization: {epsilon: 2.0}\n  - LayerNormalization: {epsilon: 1.5}\n"
        let model = try Frontend.load(text: text, file: "eps.yaml").get()
        guard case .batchNormalization(let batch) = model.layers[0].operation, case .layerNormalization(let layer) = model.layers[1].operation else {
            Issue.record("not normalizations: \(model.layers.map(\.className))")
            return
        }
        #expect(batch.epsilon == 2 && layer.epsilon == 1.5)
    }

    /// Softmax over the last axis however Keras writes it: -1, [-1], or its index (3 on an image).
    @Test func softmaxTakesTheLastAxisHoweverWritten() throws {
        let text = "input_shape: [4, 4, 3]\nlayers:\n  - Softmax: {axis: 3}\n  - Softmax: {axis: [-1]}\n  - Softmax: {axis: -1}\n"
        #expect(try Frontend.load(text: text, file: "softmax.yaml").get().layers.count == 3)
        guard case .failure(let error) = Frontend.load(text: "input_shape: [4, 4, 3]\nlayers:\n  - Softmax: {axis: 2}\n", file: "softmax.yaml") else {
            Issue.record("softmax over axis 2 of 3 was accepted")
            return
        }
        #expect(error.diagnostics.map(\.description) == ["softmax.yaml:3:21: error: softmax: 'axis: 2' is not supported by cnnc (softmax is taken over the last axis); only the last axis (-1) is"])
    }

    @Test func missingFile() {
        #expect(Self.diagnostics("/nonexistent/model.yaml") == ["/nonexistent/model.yaml:1:1: error: no such spec file"])
    }

    @Test func folderInsteadOfFile() {
        let path = RepositoryFiles.path("Specs")
        #expect(Self.diagnostics(path) == ["\(path):1:1: error: cannot read the spec file (is it a readable file, not a folder?)"])
    }

    /// Every prefix of every valid spec and Keras file, and seeded random byte
    /// edits of them, end in a model or in diagnostics: never a trap.
    @Test func truncatedAndMutatedSpecsNeverCrash() throws {
        let sources = KerasGoldenTests.specs + ["Tests/Fixtures/keras/json3/every_layer.json", "Tests/Fixtures/keras/json2/toy_convnet.json",
                                                "Tests/Fixtures/graphs/residual_block.yaml", "Tests/Fixtures/graphs/every_merge.yaml",
                                                "Tests/Fixtures/keras/functional/json3/two_inputs_two_outputs.json",
                                                "Tests/Fixtures/keras/functional/json2/inception_block.json"]
        var generator = SplitMix64(seed: 42)
        var outcomes = 0
        for source in sources {
            let bytes = Array(try RepositoryFiles.read(source).utf8)
            let step = max(1, bytes.count / 60)
            for length in stride(from: 0, to: bytes.count, by: step) {
                outcomes += check(bytes: Array(bytes[..<length]))
            }
            let alphabet = Array("0-9[]{}:,\" \n-1xé\u{0}".utf8)
            for _ in 0..<40 {
                var mutated = bytes
                for _ in 0..<3 {
                    let index = Int(generator.next() % UInt64(mutated.count))
                    mutated[index] = alphabet[Int(generator.next() % UInt64(alphabet.count))]
                }
                outcomes += check(bytes: mutated)
            }
        }
        #expect(outcomes > 1000)
    }

    private func check(bytes: [UInt8]) -> Int {
        let text = String(decoding: bytes, as: UTF8.self)
        switch Frontend.load(text: text, file: "fuzz.yaml") {
        case .success: return 1
        case .failure(let error):
            #expect(!error.diagnostics.isEmpty)
            return 1
        }
    }
}

/// A small seeded generator, so the mutations are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
