@testable import CNNCData
import CNNCRuntime
import Foundation
import Testing

/// A seeded mutation loop over every reader of a file a user hands cnnc:
/// safetensors, .npy, .npz and IDX (raw and gzip'd). Each valid file is cut
/// at many lengths and edited at random (its header most, and with lying
/// sizes written where the format keeps its sizes); every outcome must be a
/// value or a thrown error. A trap ends the test process, so the suite
/// passing is the "0 crashes" result. Bounded: a few thousand inputs, about
/// a second.
@Suite struct ReaderFuzzTests {
    /// Every prefix at about `cuts` lengths, then `edits` copies with one to
    /// four bytes changed (three in four inside the first 128 bytes, where
    /// headers are) and, at `sizeFields`, a random 32- or 64-bit value.
    static func mutations(of seed: [UInt8], cuts: Int = 50, edits: Int = 300, sizeFields: [(offset: Int, bytes: Int)] = [],
                          generator: inout SplitMix64) -> [[UInt8]] {
        var inputs: [[UInt8]] = []
        let step = max(1, seed.count / cuts)
        for length in stride(from: 0, to: seed.count, by: step) { inputs.append(Array(seed[..<length])) }
        for _ in 0..<edits {
            var mutated = seed
            for _ in 0...(generator.next() % 4) {
                let headerOnly = generator.next() % 4 != 0
                let range = headerOnly ? min(128, mutated.count) : mutated.count
                mutated[Int(generator.next() % UInt64(range))] = UInt8(truncatingIfNeeded: generator.next())
            }
            if let field = sizeFields.randomElement(using: &generator), field.offset + field.bytes <= mutated.count {
                // Small lies (off by a little) and huge ones (near 2^32, 2^63, 2^64).
                let lie: UInt64 = switch generator.next() % 3 {
                case 0: generator.next() % 4096
                case 1: UInt64.max - generator.next() % 16
                default: generator.next()
                }
                for byte in 0..<field.bytes { mutated[field.offset + byte] = UInt8(truncatingIfNeeded: lie >> (8 * UInt64(byte))) }
            }
            inputs.append(mutated)
        }
        return inputs
    }

    static func bytes(_ relative: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: TestSupport.repository.appendingPathComponent(relative)))
    }

    @Test func safetensorsAndNPYReadersNeverTrap() throws {
        var generator = SplitMix64(seed: 16)
        let weights = try Self.bytes("Tests/Fixtures/keras/outputs/lenet5/weights.safetensors")
        var outcomes = 0
        for input in Self.mutations(of: weights, sizeFields: [(0, 8)], generator: &generator) {
            if let file = try? SafeTensors.parse(Data(input), path: "fuzz.safetensors") {
                _ = file.tensors.values.reduce(0) { $0 + $1.values.count }
            }
            outcomes += 1
        }
        let npy = try Self.bytes("Tests/Fixtures/keras/outputs/lenet5/input.npy")
        for input in Self.mutations(of: npy, sizeFields: [(8, 2)], generator: &generator) {
            _ = try? NPYFile.parse(input, path: "fuzz.npy")
            _ = try? NPYHeader.parse(input, path: "fuzz.npy")
            outcomes += 1
        }
        #expect(outcomes > 600)
    }

    @Test func npzReadersNeverTrap() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        var generator = SplitMix64(seed: 17)
        let seeds = [try Self.bytes("Tests/Fixtures/keras/functional/outputs/two_inputs_two_outputs/inputs.npz"),
                     try Self.bytes("Tests/Fixtures/data/npz/float64_xy.npz")]
        let path = folder.appendingPathComponent("fuzz.npz").path
        var outcomes = 0
        for seed in seeds {
            for input in Self.mutations(of: seed, cuts: 30, edits: 150, generator: &generator) {
                try Data(input).write(to: URL(fileURLWithPath: path))
                _ = try? NPZTensors.read(path: path)
                _ = try? DatasetSource.npz(path: path).load()
                outcomes += 1
            }
        }
        #expect(outcomes > 300)
    }

    @Test func idxReadersNeverTrap() throws {
        var generator = SplitMix64(seed: 18)
        // A 3-image 2x2 IDX file, and (when ../shared is beside the repository) real gzip'd MNIST labels.
        let images: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2] + (0..<12).map { UInt8($0 * 20) }
        var outcomes = 0
        for input in Self.mutations(of: images, cuts: 16, edits: 400, sizeFields: [(4, 4), (8, 4), (12, 4)], generator: &generator) {
            _ = try? IDXFile.parse(input, path: "fuzz-idx3-ubyte", magic: IDXFile.imagesMagic)
            outcomes += 1
        }
        let labels = TestSupport.sharedData + "/mnist/t10k-labels-idx1-ubyte.gz"
        if let gzipped = FileManager.default.contents(atPath: labels) {
            for input in Self.mutations(of: [UInt8](gzipped), cuts: 40, edits: 200, generator: &generator) {
                if let unpacked = try? Gzip.decompress(input, path: "fuzz.gz") {
                    _ = try? IDXFile.parse(unpacked, path: "fuzz.gz", magic: IDXFile.labelsMagic)
                }
                outcomes += 1
            }
        }
        #expect(outcomes > 400)
    }
}
