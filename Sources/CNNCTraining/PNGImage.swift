import Foundation

/// A small 8-bit PNG, written without a compressor: the pixel rows go into
/// "stored" deflate blocks, which every PNG reader accepts. The pictures cnnc
/// embeds (feature maps and filters of a few thousand pixels) stay small,
/// and the bytes depend on nothing but the pixels, so pictures can be golden-tested.
package struct PNGImage {
    package enum Pixels {
        /// One byte per pixel, an index into a palette of RGB triples.
        case indexed(palette: [(UInt8, UInt8, UInt8)], indices: [UInt8])
        /// Three bytes per pixel.
        case rgb([UInt8])
    }

    package var width: Int
    package var height: Int
    package var pixels: Pixels

    package init(width: Int, height: Int, pixels: Pixels) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    package var data: Data {
        var out = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let (colorType, bytesPerPixel, samples): (UInt8, Int, [UInt8]) = switch pixels {
        case .indexed(_, let indices): (3, 1, indices)
        case .rgb(let bytes): (2, 3, bytes)
        }
        var header = Data()
        header.appendBigEndian(UInt32(width))
        header.appendBigEndian(UInt32(height))
        header.append(contentsOf: [8, colorType, 0, 0, 0])
        Self.appendChunk("IHDR", header, to: &out)
        if case .indexed(let palette, _) = pixels {
            Self.appendChunk("PLTE", Data(palette.flatMap { [$0.0, $0.1, $0.2] }), to: &out)
        }
        // Each row starts with its filter type, 0 (none).
        var raw = [UInt8]()
        raw.reserveCapacity(height * (width * bytesPerPixel + 1))
        for row in 0..<height {
            raw.append(0)
            raw.append(contentsOf: samples[(row * width * bytesPerPixel)..<((row + 1) * width * bytesPerPixel)])
        }
        Self.appendChunk("IDAT", Self.storedZlib(raw), to: &out)
        Self.appendChunk("IEND", Data(), to: &out)
        return out
    }

    /// A zlib stream of stored (uncompressed) deflate blocks of at most 65,535 bytes.
    private static func storedZlib(_ bytes: [UInt8]) -> Data {
        var out = Data([0x78, 0x01])
        var start = 0
        repeat {
            let count = min(65_535, bytes.count - start)
            let last = start + count == bytes.count
            out.append(last ? 1 : 0)
            out.append(contentsOf: [UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)])
            out.append(contentsOf: bytes[start..<(start + count)])
            start += count
        } while start < bytes.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in bytes {
            a = (a + UInt32(byte)) % 65_521
            b = (b + a) % 65_521
        }
        out.appendBigEndian(b << 16 | a)
        return out
    }

    private static func appendChunk(_ type: String, _ data: Data, to out: inout Data) {
        out.appendBigEndian(UInt32(data.count))
        let typed = Data(type.utf8) + data
        out.append(typed)
        out.appendBigEndian(crc32(typed))
    }

    private static func crc32(_ data: Data) -> UInt32 {
        data.withUnsafeBytes { CRCChecksum.checksum($0) }
    }
}

extension Data {
    fileprivate mutating func appendBigEndian(_ value: UInt32) {
        append(contentsOf: [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)])
    }
}
