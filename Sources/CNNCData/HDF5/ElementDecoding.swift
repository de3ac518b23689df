/// Turns raw element bytes into Swift values.
///
/// Element counts always come from the byte range (range size divided by element size),
/// never from a separate count, so decoding cannot read past the range it was given.
/// The element types reaching here are little-endian: the datatype decoder marks
/// big-endian types unsupported.
enum ElementDecoding {
    /// Numbers as Float: float32 exactly, float16 exactly, float64 rounded to nearest,
    /// integers rounded to nearest (exact up to 2^24). Nil for non-numeric types.
    static func floats(_ bytes: [UInt8], range: Range<Int>, element: HDF5ElementType) -> [Float]? {
        if case .float(bits: 32) = element {
            return float32Values(bytes, range: range)
        }
        if case .float(bits: 16) = element {
            return mapElements(bytes, range: range, size: 2) { floatFromBinary16(UInt16(truncatingIfNeeded: $0)) }
        }
        if case .float(bits: 64) = element {
            return mapElements(bytes, range: range, size: 8) { Float(Double(bitPattern: $0)) }
        }
        if case .signedInteger(let bits) = element {
            return mapElements(bytes, range: range, size: bits / 8) { Float(signExtend($0, bits: bits)) }
        }
        if case .unsignedInteger(let bits) = element {
            return mapElements(bytes, range: range, size: bits / 8) { Float($0) }
        }
        return nil
    }

    /// Numbers as Double: exact for floats and for integers up to 2^53.
    static func doubles(_ bytes: [UInt8], range: Range<Int>, element: HDF5ElementType) -> [Double]? {
        switch element {
        case .float(bits: 16):
            return mapElements(bytes, range: range, size: 2) { Double(floatFromBinary16(UInt16(truncatingIfNeeded: $0))) }
        case .float(bits: 32):
            return mapElements(bytes, range: range, size: 4) { Double(Float(bitPattern: UInt32(truncatingIfNeeded: $0))) }
        case .float(bits: 64):
            return mapElements(bytes, range: range, size: 8) { Double(bitPattern: $0) }
        case .signedInteger(let bits):
            return mapElements(bytes, range: range, size: bits / 8) { Double(signExtend($0, bits: bits)) }
        case .unsignedInteger(let bits):
            return mapElements(bytes, range: range, size: bits / 8) { Double($0) }
        default:
            return nil
        }
    }

    /// Integers as Int64. Nil for non-integer types and for uint64 values above Int64.max.
    static func integers(_ bytes: [UInt8], range: Range<Int>, element: HDF5ElementType) -> [Int64]? {
        switch element {
        case .signedInteger(let bits):
            return mapElements(bytes, range: range, size: bits / 8) { signExtend($0, bits: bits) }
        case .unsignedInteger(let bits):
            let values = mapElements(bytes, range: range, size: bits / 8) { $0 }
            guard values.allSatisfy({ $0 <= UInt64(Int64.max) }) else { return nil }
            return values.map { Int64($0) }
        default:
            return nil
        }
    }

    /// Fixed-length strings, `size` bytes each, decoded as UTF-8 (ASCII is a subset).
    /// Null-terminated strings end at their first NUL; null- and space-padded strings lose
    /// their trailing padding, as numpy does.
    static func fixedLengthStrings(
        _ bytes: [UInt8], range: Range<Int>, size: Int, padding: StringPadding
    ) -> [String] {
        guard size > 0 else { return [] }
        let range = clamped(range, count: bytes.count)
        var strings: [String] = []
        strings.reserveCapacity(range.count / size)
        var start = range.lowerBound
        while range.upperBound - start >= size {
            var element = bytes[start..<(start + size)]
            switch padding {
            case .nullTerminated:
                if let terminator = element.firstIndex(of: 0) {
                    element = element[..<terminator]
                }
            case .nullPadded:
                while element.last == 0 { element = element.dropLast() }
            case .spacePadded:
                while element.last == 0x20 { element = element.dropLast() }
            }
            strings.append(String(decoding: element, as: UTF8.self))
            start += size
        }
        return strings
    }

    /// Variable-length strings: each element is a length (4), a global heap collection
    /// address (8) and an object index (4): a global heap ID (spec §III.E).
    static func variableLengthStrings(
        _ bytes: [UInt8], range: Range<Int>, heap: GlobalHeap, budget: LoadBudget, scope: Scope
    ) throws(HDF5Error) -> [String] {
        var cursor = ByteCursor(bytes: bytes, range: range, scope: scope, structure: "variable-length string data")
        var strings: [String] = []
        strings.reserveCapacity(range.count / 16)
        while cursor.remaining >= 16 {
            let length = Int(try cursor.readUInt32())
            let collection = try cursor.readAddress()
            let index = try cursor.readUInt32()
            if length == 0 {
                strings.append("")
                continue
            }
            let object = try heap.object(collection: collection, index: index, scope: scope)
            guard length <= object.count else {
                throw scope.error(
                    "a variable-length string claims \(length) bytes but its global heap object has only "
                        + "\(object.count); \(damagedFileAdvice)")
            }
            try budget.spend(length, reading: "variable-length strings", scope: scope)
            strings.append(String(decoding: bytes[object.lowerBound..<(object.lowerBound + length)], as: UTF8.self))
        }
        return strings
    }

    // MARK: Helpers

    private static func float32Values(_ bytes: [UInt8], range unchecked: Range<Int>) -> [Float] {
        let range = clamped(unchecked, count: bytes.count)
        let count = range.count / 4
        #if _endian(little)
            // The file's bytes already are the host's floats: one copy, no conversion.
            return bytes.withUnsafeBytes { raw in
                let source = UnsafeRawBufferPointer(rebasing: raw[range.lowerBound..<(range.lowerBound + count * 4)])
                return [Float](unsafeUninitializedCapacity: count) { buffer, initializedCount in
                    UnsafeMutableRawBufferPointer(buffer).copyMemory(from: source)
                    initializedCount = count
                }
            }
        #else
            return mapElements(bytes, range: range, size: 4) { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) }
        #endif
    }

    /// Applies `transform` to each `size`-byte little-endian element (size 1, 2, 4 or 8).
    private static func mapElements<T>(
        _ bytes: [UInt8], range: Range<Int>, size: Int, _ transform: (UInt64) -> T
    ) -> [T] {
        guard [1, 2, 4, 8].contains(size) else { return [] }
        let range = clamped(range, count: bytes.count)
        let count = range.count / size
        return bytes.withUnsafeBytes { raw in
            var values: [T] = []
            values.reserveCapacity(count)
            for index in 0..<count {
                let offset = range.lowerBound + index * size
                let bits: UInt64
                switch size {
                case 1: bits = UInt64(raw[offset])
                case 2: bits = UInt64(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
                case 4: bits = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
                default: bits = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
                }
                values.append(transform(bits))
            }
            return values
        }
    }

    /// Ranges reaching here were checked against the file already; clamping keeps that
    /// promise local, so a mistake elsewhere yields fewer values instead of a trap.
    private static func clamped(_ range: Range<Int>, count: Int) -> Range<Int> {
        let lower = min(max(range.lowerBound, 0), count)
        let upper = min(max(range.upperBound, lower), count)
        return lower..<upper
    }

    /// Reinterprets the low `bits` bits as a two's-complement integer.
    private static func signExtend(_ value: UInt64, bits: Int) -> Int64 {
        switch bits {
        case 8: return Int64(Int8(truncatingIfNeeded: value))
        case 16: return Int64(Int16(truncatingIfNeeded: value))
        case 32: return Int64(Int32(truncatingIfNeeded: value))
        default: return Int64(bitPattern: value)
        }
    }

    /// IEEE 754 binary16 to binary32, exactly (every half value is a float value).
    static func floatFromBinary16(_ half: UInt16) -> Float {
        let sign: Float = half & 0x8000 != 0 ? -1 : 1
        let exponent = Int((half >> 10) & 0x1f)
        let mantissa = UInt32(half & 0x3ff)
        switch exponent {
        case 0:
            // Zero or subnormal: mantissa × 2^-24.
            return sign * Float(mantissa) * 0x1p-24
        case 31:
            let signBit: UInt32 = half & 0x8000 != 0 ? 0x8000_0000 : 0
            return Float(bitPattern: signBit | 0x7f80_0000 | (mantissa << 13))
        default:
            let signBit: UInt32 = half & 0x8000 != 0 ? 0x8000_0000 : 0
            return Float(bitPattern: signBit | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
        }
    }
}
