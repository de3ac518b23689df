import CNNCCore
import Foundation
import Testing

/// The two files cnnc compiles a model from (`GeneratedFile`): the same
/// declarations as the one-file form, split so that the compiler's LLVM
/// threads each get about half, and compiling together.
@Suite struct GeneratedFilesTests {
    /// Layers of several geometries, so that the kernels have a later half to move.
    static let spec = """
        input_shape: [16, 16, 8]
        layers:
          - Conv2D: {filters: 16, kernel_size: 3, padding: same, activation: relu}
          - Conv2D: {filters: 16, kernel_size: 3, padding: same, activation: relu}
          - MaxPooling2D: {pool_size: 2}
          - Conv2D: {filters: 32, kernel_size: 3, padding: same, activation: relu}
          - BatchNormalization: {}
          - Conv2D: {filters: 32, kernel_size: 1, activation: relu}
          - GlobalAveragePooling2D: {}
          - Dense: {units: 10, activation: softmax}
        """

    static func generator(training: Bool) throws -> ModelGenerator {
        let model = try Frontend.load(text: spec, file: "halves.yaml").get()
        return ModelGenerator(model: model, specPath: "halves.yaml", target: .avx2, includesTraining: training)
    }

    /// The names of the functions a source defines (`func l3_conv2d_2(`).
    static func definedFunctions(_ source: String) -> [String] {
        source.split(separator: "\n").compactMap { line in
            guard let range = line.range(of: "func ") else { return nil }
            return String(line[range.upperBound...].prefix { $0 != "(" && $0 != "<" })
        }
    }

    @Test func aForwardOnlyModelMovesItsLaterKernelsToASecondFile() throws {
        let generator = try Self.generator(training: false)
        let files = ModelGenerator.renderFiles(generator.program, includesTraining: false)
        try #require(files.count == 2)
        #expect(files.map { $0.name(forSpecPath: "Specs/halves.yaml") } == ["halves.cnnc.swift", "halves+kernels.cnnc.swift"])
        #expect(files[0].text.contains("public struct Halves: CompiledModel") && !files[1].text.contains("struct Halves"))
        #expect(files[1].text.contains("extension Halves {"))
        // Every function of the one-file form, once; the file-level helpers in each file.
        let whole = generator.generate()
        let helperSection = try #require(whole.range(of: "// MARK: - Vector types"))
        let helpers = Set(Self.definedFunctions(String(whole[helperSection.lowerBound...])))
        #expect(helpers.contains("madd"))
        var split = Self.definedFunctions(files[0].text) + Self.definedFunctions(files[1].text)
        for helper in helpers {
            #expect(split.filter { $0 == helper }.count == 2 * Self.definedFunctions(whole).filter { $0 == helper }.count, "\(helper)")
            split.removeAll { $0 == helper }
        }
        #expect(split.sorted() == Self.definedFunctions(whole).filter { !helpers.contains($0) }.sorted())
        // About half of the layers' kernels move, by their source's size: not all of them, nor a sliver.
        let kernels = try zip(files, ["// MARK: - Layers: each layer's kernels", "extension Halves {"]).map { file, start in
            let region = try #require(file.text.range(of: start)).upperBound
            return try #require(file.text[region...].range(of: "\n}\n")).lowerBound.utf16Offset(in: file.text) - region.utf16Offset(in: file.text)
        }
        #expect(3 * kernels[1] >= kernels[0] + kernels[1] && 3 * kernels[1] <= 2 * (kernels[0] + kernels[1]), "\(kernels)")

        let result = try GeneratedTypeCheck.errors(of: files.map { ($0.name(forSpecPath: "halves.yaml"), $0.text) }, module: "Halves")
        #expect(result.status == 0, "swiftc -typecheck of the two files: \(result.message)")
    }

    @Test func aTrainableModelHasItsTrainingExtensionInTheSecondFile() throws {
        let generator = try Self.generator(training: true)
        let files = ModelGenerator.renderFiles(generator.program)
        try #require(files.count == 2)
        #expect(files[1].part == "training" && files[1].name(forSpecPath: "halves.yaml") == "halves+training.cnnc.swift")
        #expect(!files[0].text.contains(": TrainableModel") && files[1].text.contains("extension Halves: TrainableModel"))
        // The first file is the one-file form up to the training extension.
        let whole = generator.generate()
        let training = try #require(whole.range(of: "\n// MARK: - Training\n"))
        #expect(files[0].text.hasPrefix(String(whole[..<training.lowerBound])))

        let result = try GeneratedTypeCheck.errors(of: files.map { ($0.name(forSpecPath: "halves.yaml"), $0.text) }, module: "Halves")
        #expect(result.status == 0, "swiftc -typecheck of the two files: \(result.message)")
    }
}
