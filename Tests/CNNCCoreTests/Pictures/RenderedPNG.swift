import Foundation
import ZIPFoundation

/// A PNG as a real renderer (rsvg-convert) writes it, decoded far enough to
/// look at: 8-bit RGBA or RGB, not interlaced, rows unfiltered. Inflating is
/// zlib's (through ZIPFoundation), so nothing here re-implements compression.
struct RenderedPNG {
    var width: Int
    var height: Int
    /// RGBA, 4 bytes per pixel (opaque when the file has no alpha).
    var pixels: [UInt8]

    struct Unreadable: Error, CustomStringConvertible { var description: String }

    init(_ data: Data) throws {
        let bytes = [UInt8](data)
        guard bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]) else { throw Unreadable(description: "not a PNG") }
        func big(_ at: Int) -> Int { bytes[at..<(at + 4)].reduce(0) { $0 << 8 | Int($1) } }
        var offset = 8, compressed = [UInt8](), header = [UInt8]()
        while offset + 8 <= bytes.count {
            let length = big(offset), type = String(decoding: bytes[(offset + 4)..<(offset + 8)], as: UTF8.self)
            let body = Array(bytes[(offset + 8)..<(offset + 8 + length)])
            if type == "IHDR" { header = body }
            if type == "IDAT" { compressed += body }
            offset += 12 + length
        }
        guard header.count == 13 else { throw Unreadable(description: "no IHDR") }
        width = header[0..<4].reduce(0) { $0 << 8 | Int($1) }
        height = header[4..<8].reduce(0) { $0 << 8 | Int($1) }
        let channels = switch header[9] { case 6: 4; case 2: 3; default: 0 }
        guard header[8] == 8, channels > 0, header[12] == 0 else {
            throw Unreadable(description: "bit depth \(header[8]), colour type \(header[9]), interlace \(header[12]): not read here")
        }
        // A zlib stream: a 2-byte header, raw deflate, and the Adler-32.
        let deflate = Data(compressed.dropFirst(2).dropLast(4))
        var raw = Data()
        _ = try Data.decompress(size: Int64(deflate.count), bufferSize: max(deflate.count, 1), skipCRC32: true,
                                provider: { position, size in deflate.subdata(in: Int(position)..<(Int(position) + size)) },
                                consumer: { raw.append($0) })
        let stride = width * channels
        guard raw.count == height * (stride + 1) else { throw Unreadable(description: "\(raw.count) bytes of rows, not \(height * (stride + 1))") }
        var rows = [UInt8](repeating: 0, count: height * stride)
        let input = [UInt8](raw)
        for row in 0..<height {
            let filter = input[row * (stride + 1)]
            for index in 0..<stride {
                let x = Int(input[row * (stride + 1) + 1 + index])
                let a = index >= channels ? Int(rows[row * stride + index - channels]) : 0
                let b = row > 0 ? Int(rows[(row - 1) * stride + index]) : 0
                let c = row > 0 && index >= channels ? Int(rows[(row - 1) * stride + index - channels]) : 0
                let predicted: Int = switch filter {
                case 1: a
                case 2: b
                case 3: (a + b) / 2
                case 4: Self.paeth(a, b, c)
                default: 0
                }
                rows[row * stride + index] = UInt8((x + predicted) & 0xFF)
            }
        }
        if channels == 4 {
            pixels = rows
        } else {
            var rgba = [UInt8](repeating: 255, count: width * height * 4)
            for pixel in 0..<(width * height) {
                for channel in 0..<3 { rgba[pixel * 4 + channel] = rows[pixel * 3 + channel] }
            }
            pixels = rgba
        }
    }

    private static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let (pa, pb, pc) = (abs(p - a), abs(p - b), abs(p - c))
        return pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
    }

    /// Pixels a person would see on a white page: not fully transparent.
    var visiblePixels: Int { stride(from: 3, to: pixels.count, by: 4).filter { pixels[$0] > 0 }.count }

    /// Distinct opaque colours: a heat map shows many, a blank picture none.
    var distinctColours: Int {
        var colours = Set<Int>()
        for i in stride(from: 0, to: pixels.count, by: 4) where pixels[i + 3] == 255 {
            let red = Int(pixels[i]) << 16, green = Int(pixels[i + 1]) << 8
            colours.insert(red | green | Int(pixels[i + 2]))
        }
        return colours.count
    }
}
