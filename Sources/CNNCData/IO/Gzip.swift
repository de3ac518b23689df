import CNNCTraining
import Foundation
import ZIPFoundation

/// gzip files (RFC 1952), as the MNIST files are distributed: a header, one
/// raw deflate stream, then the CRC-32 and length of the uncompressed data.
/// ZIPFoundation inflates the stream (with zlib, or Apple's Compression);
/// the header and the trailer's checks are read here.
enum Gzip {
    /// True when `bytes` start with gzip's magic number, whatever the file's name says
    /// (browsers often store a decompressed download under its `.gz` name).
    static func isCompressed(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// The uncompressed contents of a single-member gzip file. `longest`, given
    /// the output so far, says how long it may grow once that is known (an
    /// IDX header's sizes): a small file that inflates past it (a
    /// decompression bomb) stops there instead of filling memory.
    static func decompress(_ bytes: [UInt8], path: String, longest: (([UInt8]) -> Int?)? = nil) throws(DataError) -> [UInt8] {
        let start = try deflateStart(bytes, path: path)
        guard bytes.count >= start + 8 else {
            throw DataError.badGzip(path, "the file ends after \(bytes.count) bytes, before its compressed data")
        }
        let end = bytes.count - 8
        let expectedCRC = littleEndianUInt32(bytes, at: end)
        let expectedSize = littleEndianUInt32(bytes, at: end + 4)
        var output: [UInt8] = []
        output.reserveCapacity(Int(expectedSize))
        let chunkSize = 1 << 20
        do {
            // Every chunk is exactly chunkSize bytes, zero-padded past the stream:
            // zlib is told a chunk is that long whatever the provider returns, so a
            // shorter chunk would let it read past the buffer when a stream is cut short.
            // The CRC is CRCChecksum's, over the whole output: ZIPFoundation's goes a byte at a time on Linux.
            _ = try Data.decompress(
                size: Int64(end - start + chunkSize), bufferSize: chunkSize, skipCRC32: true,
                provider: { position, _ in
                    let from = start + Int(position)
                    guard from < end else { throw TruncatedStream() }
                    var chunk = Data(bytes[from..<min(end, from + chunkSize)])
                    chunk.append(Data(count: chunkSize - chunk.count))
                    return chunk
                },
                consumer: { chunk in
                    output.append(contentsOf: chunk)
                    if let limit = longest?(output), output.count > limit { throw TooLong(limit: limit) }
                })
        } catch is TruncatedStream {
            throw DataError.badGzip(path, "the compressed data ends early")
        } catch let tooLong as TooLong {
            throw DataError.badGzip(path, "the data inflates past the \(tooLong.limit) bytes its header describes")
        } catch {
            throw DataError.badGzip(path, "the compressed data is corrupt")
        }
        let crc = output.withUnsafeBytes { CRCChecksum.checksum($0) }
        guard UInt32(truncatingIfNeeded: output.count) == expectedSize, crc == expectedCRC else {
            throw DataError.badGzip(path, "the data does not match its checksum (CRC-32 or length)")
        }
        return output
    }

    private struct TruncatedStream: Error {}
    private struct TooLong: Error { let limit: Int }

    /// Where the deflate stream starts: after the 10-byte header and its optional fields.
    private static func deflateStart(_ bytes: [UInt8], path: String) throws(DataError) -> Int {
        guard isCompressed(bytes), bytes.count >= 10 else { throw DataError.badGzip(path, "it does not start with gzip's magic number") }
        guard bytes[2] == 8 else { throw DataError.badGzip(path, "compression method \(bytes[2]) is not deflate") }
        let flags = bytes[3]
        var position = 10
        if flags & 0x04 != 0 {  // FEXTRA: a 2-byte length, then that many bytes
            guard position + 2 <= bytes.count else { throw DataError.badGzip(path, "the header is truncated") }
            position += 2 + (Int(bytes[position]) | Int(bytes[position + 1]) << 8)
        }
        for flag: UInt8 in [0x08, 0x10] where flags & flag != 0 {  // FNAME, FCOMMENT: zero-terminated
            guard position < bytes.count, let zero = bytes[position...].firstIndex(of: 0) else {
                throw DataError.badGzip(path, "the header is truncated")
            }
            position = zero + 1
        }
        if flags & 0x02 != 0 { position += 2 }  // FHCRC
        guard position <= bytes.count else { throw DataError.badGzip(path, "the header is truncated") }
        return position
    }

    private static func littleEndianUInt32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }
}
