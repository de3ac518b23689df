import CNNCData
import CNNCTraining
import Foundation
import Testing

/// The data set argument of `cnnc train` and `cnnc evaluate`.
@Suite struct DatasetSourceTests {
    @Test func everyForm() throws {
        #expect(try DatasetSource(parsing: "mnist:data/mnist") == .mnist(directory: "data/mnist"))
        #expect(try DatasetSource(parsing: "fashion-mnist:/data/fashion") == .fashionMNIST(directory: "/data/fashion"))
        #expect(try DatasetSource(parsing: "npz:digits.npz") == .npz(path: "digits.npz"))
        #expect(try DatasetSource(parsing: "builtin") == .builtin(BuiltinDigits()))
        #expect(DatasetSource.default == .builtin(BuiltinDigits(seed: 0, trainCount: 12_000, testCount: 2_000)))
        // The shell does not expand ~ after a colon, so the parser does.
        #expect(try DatasetSource(parsing: "npz:~/x.npz") == .npz(path: NSHomeDirectory() + "/x.npz"))
        // A path may itself hold colons.
        #expect(try DatasetSource(parsing: "npz:a:b.npz") == .npz(path: "a:b.npz"))
    }

    /// Training or evaluating on no images would report accuracy 0 and save
    /// untrained weights as if it had run: no training images, or an empty
    /// test part, are errors when the data set is loaded (issue 16).
    @Test func emptyPartsAreRefused() throws {
        let folder = try TestSupport.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let none = try LabeledImages(height: 2, width: 2, channels: 1, pixels: [], labels: [], classCount: 10)
        let one = try LabeledImages(height: 2, width: 2, channels: 1, pixels: [0, 0.5, 1, 0], labels: [3], classCount: 10)
        let cases: [(name: String, train: LabeledImages, test: LabeledImages?, message: String)] = [
            ("no-training.npz", none, one, "no-training.npz: the data set holds no training images"),
            ("empty-test.npz", one, none, "empty-test.npz: the test part holds no images; add test images or leave the test part out"),
        ]
        for item in cases {
            let path = folder.appendingPathComponent(item.name).path
            try Dataset(name: item.name, train: item.train, test: item.test, classNames: nil).writeNPZ(to: path)
            #expect(TestSupport.message { _ = try DatasetSource.npz(path: path).load() }.hasPrefix(item.message))
        }
        let path = folder.appendingPathComponent("fine.npz").path
        try Dataset(name: "fine", train: one, test: nil, classNames: nil).writeNPZ(to: path)
        #expect(try DatasetSource.npz(path: path).load().train.count == 1)
    }

    /// Labels 0–8 meet a 10-class model as in Keras: the data takes the
    /// model's class count, and the class it never names is called by its label.
    @Test func fewerClassesWidenToTheModels() throws {
        let one = try LabeledImages(height: 2, width: 2, channels: 1, pixels: [0, 0.5, 1, 0], labels: [3], classCount: 9)
        let data = Dataset(name: "nine", train: one, test: one, classNames: (0..<9).map { "c\($0)" })
        let widened = data.widened(toClasses: 10)
        #expect(widened.train.classCount == 10 && widened.test?.classCount == 10 && widened.train.labels == [3])
        #expect(widened.classNames?.last == "9" && widened.classNames?.count == 10)
        #expect(data.widened(toClasses: 5) == data)
    }

    static func message(_ argument: String) -> String {
        TestSupport.message { _ = try DatasetSource(parsing: argument) }
    }

    @Test func unknownKindsListTheValidForms() {
        let forms = "write one of mnist:DIR, fashion-mnist:DIR, npz:FILE, builtin"
        #expect(Self.message("cifar10:data") == "'cifar10:data' is not a data set: the kind 'cifar10' is unknown; \(forms)")
        #expect(Self.message("MNIST:data") == "'MNIST:data' is not a data set: the kind 'MNIST' is unknown; \(forms)")
        #expect(Self.message("digits.npz") == "'digits.npz' is not a data set: it says no kind (did you mean npz:digits.npz?); \(forms)")
        #expect(Self.message("/") == "'/' is not a data set: it says no kind (did you mean mnist:/ or fashion-mnist:/?); \(forms)")
        #expect(Self.message("nonsense") == "'nonsense' is not a data set: it says no kind (a kind and a ':' come first); \(forms)")
        #expect(Self.message("") == "'' is not a data set: it is empty; \(forms)")
        #expect(Self.message("mnist:") == "'mnist:' is not a data set: there is no directory after 'mnist:'; \(forms)")
        #expect(Self.message("npz:") == "'npz:' is not a data set: there is no file after 'npz:'; \(forms)")
        #expect(Self.message("builtin:7") == "'builtin:7' is not a data set: builtin takes nothing after it; \(forms)")
    }
}
