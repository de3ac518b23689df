import CNNCRuntime
import CNNCTraining
import Foundation

extension Dataset {
    /// Writes the images as `numpy.savez_compressed` would save Keras's MNIST:
    /// `x_train` uint8 (N, H, W) (or (N, H, W, C) with several channels), pixels
    /// times 255 rounded; `y_train` uint8 (N,) (int32 above 256 classes); the
    /// same for the test part if there is one. `np.load(path)` reads it, and so
    /// does `npz:` (exactly, for pixels that are multiples of 1/255).
    public func writeNPZ(to path: String) throws(DataError) {
        var arrays: [(name: String, bytes: [UInt8])] = []
        for (part, images) in [("train", train), ("test", test)] {
            guard let images else { continue }
            arrays.append(("x_\(part)", Self.encodedImages(images)))
            arrays.append(("y_\(part)", Self.encodedLabels(images)))
        }
        try NPZWriter.write(arrays, to: path)
    }

    private static func encodedImages(_ images: LabeledImages) -> [UInt8] {
        let shape = [images.count, images.height, images.width] + (images.channels == 1 ? [] : [images.channels])
        return NPYHeader.encoded(descr: "|u1", shape: shape) + images.pixels.map(PixelScaling.byte)
    }

    private static func encodedLabels(_ images: LabeledImages) -> [UInt8] {
        if images.classCount <= 256 {
            return NPYHeader.encoded(descr: "|u1", shape: [images.count]) + images.labels.map { UInt8($0) }
        }
        var bytes = NPYHeader.encoded(descr: "<i4", shape: [images.count])
        for label in images.labels { withUnsafeBytes(of: label.littleEndian) { bytes += $0 } }
        return bytes
    }
}

/// Writes `.npz` archives as `numpy.savez_compressed` does: one deflated
/// `NAME.npy` entry per array, the whole file replaced atomically.
enum NPZWriter {
    /// `arrays` are each a complete `.npy` file's bytes.
    static func write(_ arrays: [(name: String, bytes: [UInt8])], to path: String) throws(DataError) {
        try ZipFile.write(arrays.map { ("\($0.name).npy", $0.bytes) }, deflated: true, to: path)
    }
}
