import CNNCRuntime
import CNNCTraining
import Foundation

/// A folder holding MNIST or Fashion-MNIST as distributed: four IDX files, each
/// plain or gzip'd, under their original names. The training pair must be
/// there; the test pair is optional, but not half of it.
struct IDXFolder {
    var directory: String
    /// Class labels in the files are 0..<classCount.
    var classCount = 10

    /// The original names; `train-images.idx3-ubyte` (a dot for the last dash) is accepted too.
    static let trainFiles = (images: "train-images-idx3-ubyte", labels: "train-labels-idx1-ubyte")
    static let testFiles = (images: "t10k-images-idx3-ubyte", labels: "t10k-labels-idx1-ubyte")

    func load() throws(DataError) -> (train: LabeledImages, test: LabeledImages?) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw DataError.missingDirectory(directory)
        }
        guard isDirectory.boolValue else { throw DataError("\(directory): is a file; give the directory that holds the IDX files") }
        let train = (images: find(Self.trainFiles.images), labels: find(Self.trainFiles.labels))
        let test = (images: find(Self.testFiles.images), labels: find(Self.testFiles.labels))
        var expected = [(train.images, Self.trainFiles.images), (train.labels, Self.trainFiles.labels)]
        if test.images != nil || test.labels != nil {
            expected += [(test.images, Self.testFiles.images), (test.labels, Self.testFiles.labels)]
        }
        let missing = expected.filter { $0.0 == nil }.map(\.1)
        guard let trainImages = train.images, let trainLabels = train.labels, missing.isEmpty else {
            throw DataError.missingFiles(in: directory, missing: missing, found: listing())
        }
        let trainSet = try read(images: trainImages, labels: trainLabels)
        guard let testImages = test.images, let testLabels = test.labels else { return (trainSet, nil) }
        return (trainSet, try read(images: testImages, labels: testLabels))
    }

    /// The path of `name` in the folder: plain, gzip'd, or with the dotted variant of the name.
    func find(_ name: String) -> String? {
        let dotted = name.replacingOccurrences(of: "-idx", with: ".idx")
        return [name + ".gz", name, dotted + ".gz", dotted]
            .map { (directory as NSString).appendingPathComponent($0) }
            .first { FileManager.default.fileExists(atPath: $0) }
    }

    /// Pairs an images file with its labels file; pixels scaled to [0, 1] by 1/255.
    func read(images imagesPath: String, labels labelsPath: String) throws(DataError) -> LabeledImages {
        let images = try IDXFile.read(path: imagesPath, magic: IDXFile.imagesMagic)
        let labels = try IDXFile.read(path: labelsPath, magic: IDXFile.labelsMagic)
        let count = images.dimensions[0]
        guard labels.dimensions[0] == count else {
            throw DataError.countMismatch(images: imagesPath, imageCount: count, labels: labelsPath, labelCount: labels.dimensions[0])
        }
        let classCount = self.classCount
        if let bad = labels.elements.firstIndex(where: { Int($0) >= classCount }) {
            let index = bad - labels.elements.startIndex
            throw DataError.labelOutOfRange(labelsPath, label: Int64(labels.elements[bad]), index: index, allowed: "labels must be 0 to \(classCount - 1)")
        }
        do {
            return try LabeledImages(
                height: images.dimensions[1], width: images.dimensions[2], channels: 1,
                pixels: PixelScaling.unitInterval(images.elements), labels: labels.elements.map(Int32.init),
                classCount: classCount)
        } catch {
            throw DataError("\(imagesPath): \(error.message)")
        }
    }

    /// What the folder holds, for the message about missing files.
    private func listing() -> [String] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { !$0.hasPrefix(".") }.sorted()
        return names.count <= 12 ? names : Array(names.prefix(12)) + ["\(names.count - 12) more"]
    }
}
