import CNNCRuntime
import CNNCTraining

/// An .npz of images and labels, in the names Keras's `load_data()` returns:
/// `x_train`, `y_train` and optionally `x_test`, `y_test` (or `x`, `y` for
/// training only).
///
/// - Images: (N, H, W) or (N, H, W, C); uint8 is scaled by 1/255, float32 and
///   float64 are kept as they are.
/// - Labels: class indices of shape (N,) or (N, 1), integer (or whole floats),
///   or one-hot rows (N, K); the class count is K, or the largest index + 1.
struct NPZDataset {
    var path: String

    /// More classes than this is a sign of a wrong array, not a data set.
    static let maximumClassCount = 65_536

    func load() throws(DataError) -> (train: LabeledImages, test: LabeledImages?) {
        let archive = try NPZArchive(path: path)
        let trainNames = archive.contains("x") && !archive.contains("x_train") ? ("x", "y") : ("x_train", "y_train")
        let train = try read(archive, images: trainNames.0, labels: trainNames.1)
        guard archive.contains("x_test") || archive.contains("y_test") else {
            return (try labeled(train, classCount: try classCount([train])), nil)
        }
        let test = try read(archive, images: "x_test", labels: "y_test")
        guard test.images.imageShape == train.images.imageShape else {
            throw DataError("\(path): the test images are \(test.images.shapeText) but the training images are \(train.images.shapeText); they must be the same size")
        }
        let classes = try classCount([train, test])
        return (try labeled(train, classCount: classes), try labeled(test, classCount: classes))
    }

    /// One part's images and labels, read and checked against each other.
    private struct Part {
        var images: NPZImages
        var labels: NPZLabels
    }

    private func read(_ archive: NPZArchive, images imagesName: String, labels labelsName: String) throws(DataError) -> Part {
        let images = try NPZImages(archive.array(imagesName), file: path)
        let labels = try NPZLabels(archive.array(labelsName), file: path)
        guard images.count == labels.indices.count else {
            throw DataError.countMismatch(images: "\(path) (array '\(imagesName)')", imageCount: images.count,
                                          labels: "\(path) (array '\(labelsName)')", labelCount: labels.indices.count)
        }
        return Part(images: images, labels: labels)
    }

    /// One-hot parts fix the class count and must agree; otherwise it is the largest index + 1.
    private func classCount(_ parts: [Part]) throws(DataError) -> Int {
        let widths = Set(parts.compactMap(\.labels.oneHotWidth))
        guard widths.count <= 1 else {
            throw DataError("\(path): the one-hot labels have \(widths.sorted().map(String.init).joined(separator: " and ")) columns; training and test labels must have the same classes")
        }
        if let width = widths.first { return width }
        let largest = parts.compactMap { $0.labels.indices.max() }.max() ?? 0
        return Int(min(largest, Int64(Self.maximumClassCount))) + 1
    }

    private func labeled(_ part: Part, classCount: Int) throws(DataError) -> LabeledImages {
        let labels = part.labels
        if let bad = labels.indices.firstIndex(where: { $0 < 0 || $0 >= classCount }) {
            let allowed = classCount > Self.maximumClassCount
                ? "cnnc supports up to \(Self.maximumClassCount) classes"
                : "labels must be 0 to \(classCount - 1)"
            throw DataError.labelOutOfRange("\(path) (array '\(labels.name)')", label: labels.indices[bad], index: bad, allowed: allowed)
        }
        do {
            return try LabeledImages(
                height: part.images.height, width: part.images.width, channels: part.images.channels,
                pixels: part.images.pixels, labels: labels.indices.map { Int32($0) }, classCount: classCount, targets: labels.softRows)
        } catch {
            throw DataError("\(path): \(error.message)")
        }
    }
}
