/// The type of the elements of a dataset or attribute.
public enum HDF5ElementType: Sendable, Equatable, CustomStringConvertible {
    /// IEEE little-endian floating point of 16, 32 or 64 bits.
    case float(bits: Int)
    /// Two's-complement little-endian integer of 8, 16, 32 or 64 bits.
    case signedInteger(bits: Int)
    case unsignedInteger(bits: Int)
    /// Fixed-length byte strings (numpy 'S' arrays, as Keras 2 writes layer and weight names).
    case fixedLengthString(bytes: Int)
    /// Variable-length strings kept in the global heap (h5py's `str` attributes).
    case variableLengthString
    /// A type this reader does not read; the text says which ("big-endian float32",
    /// "compound", "enumeration (h5py stores numpy bool this way)", ...).
    case unsupported(String)

    public var description: String {
        switch self {
        case .float(let bits): return "float\(bits)"
        case .signedInteger(let bits): return "int\(bits)"
        case .unsignedInteger(let bits): return "uint\(bits)"
        case .fixedLengthString(let bytes): return "fixed-length string of \(bytes) bytes"
        case .variableLengthString: return "variable-length string"
        case .unsupported(let what): return what
        }
    }
}

/// How a fixed-length string fills its bytes (spec §IV.A.2.d, string class bits 0-3).
enum StringPadding: Sendable {
    case nullTerminated
    case nullPadded
    case spacePadded
}

/// A decoded datatype message (spec §IV.A.2.d): what the elements are and how many bytes
/// each one takes.
struct Datatype: Sendable {
    let element: HDF5ElementType
    let size: Int
    let stringPadding: StringPadding

    var isNumeric: Bool {
        switch element {
        case .float, .signedInteger, .unsignedInteger: return true
        default: return false
        }
    }

    /// Class and version (1: low 4 bits class, high 4 bits version), class bit field (3),
    /// size (4), then class-specific properties. Types outside the subset come back as
    /// `.unsupported` rather than as errors, so a file can still be listed and the refusal
    /// names the dataset or attribute that holds them.
    static func decode(_ cursor: inout ByteCursor) throws(HDF5Error) -> Datatype {
        let classAndVersion = try cursor.readUInt8()
        let typeClass = classAndVersion & 0x0f
        let version = classAndVersion >> 4
        let bitField = UInt32(try cursor.readUInt8())
            | UInt32(try cursor.readUInt8()) << 8
            | UInt32(try cursor.readUInt8()) << 16
        let sizeField = try cursor.readUInt32()
        guard sizeField > 0, let size = Int(exactly: sizeField) else {
            throw cursor.scope.error("its datatype has a size of 0 bytes; \(damagedFileAdvice)")
        }
        func unsupported(_ what: String) -> Datatype {
            Datatype(element: .unsupported(what), size: size, stringPadding: .nullPadded)
        }
        guard (1...3).contains(version) else {
            return unsupported("datatype message version \(version) (class \(typeClass))")
        }
        switch typeClass {
        case 0:
            return try decodeFixedPoint(&cursor, bitField: bitField, size: size)
        case 1:
            return try decodeFloatingPoint(&cursor, bitField: bitField, size: size)
        case 3:
            // String: bits 0-3 padding, bits 4-7 character set (0 ASCII, 1 UTF-8). No properties.
            let padding: StringPadding
            switch bitField & 0x0f {
            case 0: padding = .nullTerminated
            case 1: padding = .nullPadded
            case 2: padding = .spacePadded
            default: return unsupported("fixed-length string with padding type \(bitField & 0x0f)")
            }
            let characterSet = (bitField >> 4) & 0x0f
            guard characterSet <= 1 else {
                return unsupported("fixed-length string in character set \(characterSet)")
            }
            return Datatype(element: .fixedLengthString(bytes: size), size: size, stringPadding: padding)
        case 9:
            // Variable-length: bits 0-3 type (0 sequence, 1 string), bits 8-11 character set.
            // An element is a 4-byte length and a global heap ID (8-byte collection address,
            // 4-byte object index), so 16 bytes with 8-byte addresses (spec §III.E, global heap IDs).
            guard bitField & 0x0f == 1 else {
                return unsupported("variable-length sequence (not a string)")
            }
            let characterSet = (bitField >> 8) & 0x0f
            guard characterSet <= 1 else {
                return unsupported("variable-length string in character set \(characterSet)")
            }
            guard size == 16 else {
                return unsupported("variable-length string with \(size)-byte elements (expected 16)")
            }
            return Datatype(element: .variableLengthString, size: size, stringPadding: .nullTerminated)
        case 2: return unsupported("time")
        case 4: return unsupported("bit field")
        case 5: return unsupported("opaque")
        case 6: return unsupported("compound")
        case 7: return unsupported("reference")
        case 8: return unsupported("enumeration (h5py stores numpy bool this way)")
        case 10: return unsupported("array")
        case 11: return unsupported("complex")
        default: return unsupported("datatype class \(typeClass)")
        }
    }

    /// Fixed-point: bit 0 byte order (1 = big-endian), bit 3 signed; properties: bit
    /// offset (2), bit precision (2). Only whole 1, 2, 4 and 8-byte integers are read.
    private static func decodeFixedPoint(
        _ cursor: inout ByteCursor, bitField: UInt32, size: Int
    ) throws(HDF5Error) -> Datatype {
        let isSigned = bitField & 0x08 != 0
        let bitOffset = try cursor.readUInt16()
        let precision = try cursor.readUInt16()
        let name = (isSigned ? "int" : "uint") + "\(size * 8)"
        func result(_ element: HDF5ElementType) -> Datatype {
            Datatype(element: element, size: size, stringPadding: .nullPadded)
        }
        guard bitField & 0x01 == 0 else {
            return result(.unsupported("big-endian \(name)"))
        }
        guard [1, 2, 4, 8].contains(size), bitOffset == 0, Int(precision) == size * 8 else {
            return result(.unsupported("\(precision)-bit integer at bit offset \(bitOffset) in \(size) bytes"))
        }
        return result(isSigned ? .signedInteger(bits: size * 8) : .unsignedInteger(bits: size * 8))
    }

    /// Floating-point: byte order in bits 0 and 6 (00 little-endian, 01 big-endian, 11 VAX);
    /// properties: bit offset (2), precision (2), exponent location (1) and size (1),
    /// mantissa location (1) and size (1), exponent bias (4). Only the IEEE 754 binary16,
    /// binary32 and binary64 layouts are read.
    private static func decodeFloatingPoint(
        _ cursor: inout ByteCursor, bitField: UInt32, size: Int
    ) throws(HDF5Error) -> Datatype {
        let bitOffset = try cursor.readUInt16()
        let precision = try cursor.readUInt16()
        let exponentLocation = try cursor.readUInt8()
        let exponentSize = try cursor.readUInt8()
        let mantissaLocation = try cursor.readUInt8()
        let mantissaSize = try cursor.readUInt8()
        let exponentBias = try cursor.readUInt32()
        func result(_ element: HDF5ElementType) -> Datatype {
            Datatype(element: element, size: size, stringPadding: .nullPadded)
        }
        let byteOrder = (bitField & 0x01) | ((bitField >> 5) & 0x02)
        switch byteOrder {
        case 0: break
        case 1: return result(.unsupported("big-endian float\(size * 8)"))
        default: return result(.unsupported("VAX-order floating point"))
        }
        let ieeeLayouts: [Int: (exponentLocation: UInt8, exponentSize: UInt8, mantissaSize: UInt8, bias: UInt32)] = [
            2: (10, 5, 10, 15),
            4: (23, 8, 23, 127),
            8: (52, 11, 52, 1023),
        ]
        guard let ieee = ieeeLayouts[size], bitOffset == 0, Int(precision) == size * 8,
            exponentLocation == ieee.exponentLocation, exponentSize == ieee.exponentSize,
            mantissaLocation == 0, mantissaSize == ieee.mantissaSize, exponentBias == ieee.bias
        else {
            return result(
                .unsupported(
                    "non-IEEE \(size)-byte floating point (\(exponentSize)-bit exponent, "
                        + "\(mantissaSize)-bit mantissa, bias \(exponentBias))"))
        }
        return result(.float(bits: size * 8))
    }
}
