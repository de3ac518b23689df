import CNNCRuntime
import Foundation
import Testing

@testable import CNNCData

/// Damaged files must end in a value or an HDF5Error, never a trap or a hang; a file that
/// opens must let every dataset and attribute be read (or refused) without trapping.
@Suite struct FuzzTests {
    struct Outcomes {
        var opened = 0
        var refused = 0
    }

    /// Opens `bytes` and reads everything in it.
    private func exercise(_ bytes: [UInt8], label: String, _ outcomes: inout Outcomes) {
        let file: HDF5File
        do {
            file = try HDF5File(bytes: bytes, path: label)
        } catch {
            #expect(error.message.hasPrefix("\(label): "), "\(error.message)")
            outcomes.refused += 1
            return
        }
        outcomes.opened += 1
        for group in allGroups(in: file.root) {
            for attribute in group.attributes {
                _ = try? group.attribute(attribute.name)
            }
            _ = group.children
            for dataset in group.datasets {
                _ = try? dataset.floats()
                _ = try? dataset.integers()
                for attribute in dataset.attributes {
                    _ = try? dataset.attribute(attribute.name)
                }
            }
        }
    }

    /// 8-byte-aligned fields that hold a plausible address or length (less than the file
    /// size) or the undefined address: the fields whose damage a reader must survive.
    private func addressLikeOffsets(_ bytes: [UInt8]) -> [Int] {
        stride(from: 0, to: bytes.count - 8, by: 8).filter { offset in
            let value = bytes.uint64(at: offset)
            return (value > 0 && value < UInt64(bytes.count)) || value == .max
        }
    }

    private func mutate(_ original: [UInt8], addressFields: [Int], using random: inout SplitMix64) -> [UInt8] {
        var bytes = original
        let interesting: [UInt64] = [
            0, 1, 7, 8, 0xFF, 0xFFFF, UInt64(bytes.count - 1), UInt64(bytes.count), UInt64(bytes.count + 8),
            UInt64(Int.max), UInt64(Int.max) + 1, .max, .max - 1, 1 << 32,
        ]
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            switch Int.random(in: 0..<4, using: &random) {
            case 0:
                // A byte in the superblock and the root group's header.
                let offset = Int.random(in: 0..<min(400, bytes.count), using: &random)
                bytes[offset] = UInt8.random(in: 0...255, using: &random)
            case 1:
                let offset = Int.random(in: 0..<bytes.count, using: &random)
                bytes[offset] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &random)
            case 2:
                // An address or length replaced by an extreme or nearby value.
                guard let offset = addressFields.randomElement(using: &random) else { continue }
                let current = bytes.uint64(at: offset)
                let value = Bool.random(using: &random)
                    ? interesting.randomElement(using: &random) ?? 0
                    : current &+ UInt64.random(in: 0..<64, using: &random) &- 32
                bytes.setUInt64(value, at: offset)
            default:
                // A 16- or 32-bit count or size field set to an extreme.
                let offset = Int.random(in: 0..<(bytes.count - 4), using: &random)
                let value: UInt32 = [0, 1, 0xFFFF, 0xFFFF_FFFF, 0x8000].randomElement(using: &random) ?? 0
                if Bool.random(using: &random) {
                    bytes.setUInt32(value, at: offset)
                } else {
                    bytes[offset] = UInt8(truncatingIfNeeded: value)
                    bytes[offset + 1] = UInt8(truncatingIfNeeded: value >> 8)
                }
            }
        }
        return bytes
    }

    @Test func truncatedKeras3File() throws {
        let original = try Fixture.bytes("keras3_functional.weights.h5")
        var outcomes = Outcomes()
        // Every length up to 16, then about 40 more spread over the file.
        let lengths = Array(0...16) + stride(from: 17, to: original.count, by: max(1, original.count / 40))
        for length in lengths {
            exercise(Array(original.prefix(length)), label: "cut-\(length).h5", &outcomes)
        }
        #expect(lengths.count >= 50)
        #expect(outcomes.refused == lengths.count, "every truncated copy is refused")

        // The same cuts with the superblock's end-of-file field adjusted to match, so that
        // reading goes past the superblock and meets the cut wherever it falls.
        var adjusted = Outcomes()
        for length in lengths where length >= 48 {
            var bytes = Array(original.prefix(length))
            bytes.setUInt64(UInt64(length), at: 40)
            exercise(bytes, label: "cut-eof-\(length).h5", &adjusted)
        }
        #expect(adjusted.refused > 0)
    }

    @Test func mutatedKeras3File() throws {
        let outcomes = try fuzz("keras3_functional.weights.h5", seed: 0x5EED, count: 400)
        #expect(outcomes.opened > 0)
        #expect(outcomes.refused > 0)
    }

    /// Version 2 object headers, link messages and attribute messages version 3.
    @Test func mutatedLatestFile() throws {
        _ = try fuzz("latest.h5", seed: 0x1A7E57, count: 150)
    }

    /// Every element type, attribute kind and the refusals.
    @Test func mutatedMiscFile() throws {
        _ = try fuzz("misc.h5", seed: 0x3153, count: 150)
    }

    private func fuzz(_ fixture: String, seed: UInt64, count: Int) throws -> Outcomes {
        let original = try Fixture.bytes(fixture)
        let addressFields = addressLikeOffsets(original)
        var random = SplitMix64(seed: seed)
        var outcomes = Outcomes()
        for index in 0..<count {
            let bytes = mutate(original, addressFields: addressFields, using: &random)
            exercise(bytes, label: "\(fixture)-mutant-\(index)", &outcomes)
        }
        return outcomes
    }
}
