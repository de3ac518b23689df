import Foundation

/// Where `cnnc train` and `cnnc evaluate` get their images, as written on the
/// command line:
///
///     mnist:DIR           MNIST's four IDX files (plain or .gz) in DIR
///     fashion-mnist:DIR   Fashion-MNIST's, named as MNIST's
///     npz:FILE            a numpy .npz with x_train, y_train (and x_test, y_test)
///     builtin             digits drawn by cnnc, no download (the default)
public enum DatasetSource: Sendable, Equatable {
    case mnist(directory: String)
    case fashionMNIST(directory: String)
    case npz(path: String)
    case builtin(BuiltinDigits)

    /// What to use when no data set is given.
    public static let `default` = DatasetSource.builtin(BuiltinDigits())

    /// The forms an argument may take, for messages.
    public static let forms = ["mnist:DIR", "fashion-mnist:DIR", "npz:FILE", "builtin"]

    /// Reads one of `forms`; a `~` at the start of a path is the home directory.
    public init(parsing argument: String) throws(DataError) {
        let text = argument.trimmingCharacters(in: .whitespaces)
        if text == "builtin" {
            self = .default
            return
        }
        guard let colon = text.firstIndex(of: ":") else {
            throw DataError.unknownSource(argument, reason: Self.guess(text))
        }
        let scheme = String(text[..<colon])
        let path = (String(text[text.index(after: colon)...]) as NSString).expandingTildeInPath
        guard ["mnist", "fashion-mnist", "npz"].contains(scheme) else {
            throw DataError.unknownSource(argument, reason: scheme == "builtin" ? "builtin takes nothing after it" : "the kind '\(scheme)' is unknown")
        }
        guard !path.isEmpty else {
            throw DataError.unknownSource(argument, reason: "there is no \(scheme == "npz" ? "file" : "directory") after '\(scheme):'")
        }
        switch scheme {
        case "mnist": self = .mnist(directory: path)
        case "fashion-mnist": self = .fashionMNIST(directory: path)
        default: self = .npz(path: path)
        }
    }

    /// Reads (or, for `builtin`, draws) the images; a source with no training
    /// images, or an empty test part, is an error: training or evaluating on
    /// nothing would report accuracy 0 and save untrained weights as if it had run.
    public func load() throws(DataError) -> Dataset {
        let dataset = try read()
        if dataset.train.count == 0 {
            throw DataError("\(dataset.name): the data set holds no training images; cnnc trains on at least one")
        }
        if let test = dataset.test, test.count == 0 {
            throw DataError("\(dataset.name): the test part holds no images; add test images or leave the test part out")
        }
        return dataset
    }

    private func read() throws(DataError) -> Dataset {
        switch self {
        case .mnist(let directory):
            let (train, test) = try IDXFolder(directory: directory).load()
            return Dataset(name: "MNIST", train: train, test: test, classNames: Dataset.digitClassNames)
        case .fashionMNIST(let directory):
            let (train, test) = try IDXFolder(directory: directory).load()
            return Dataset(name: "Fashion-MNIST", train: train, test: test, classNames: Dataset.fashionMNISTClassNames)
        case .npz(let path):
            let (train, test) = try NPZDataset(path: path).load()
            return Dataset(name: (path as NSString).lastPathComponent, train: train, test: test, classNames: nil)
        case .builtin(let digits):
            return digits.generate()
        }
    }

    /// Why a bare argument is not a data set, with the likely intended form.
    private static func guess(_ text: String) -> String {
        if text.isEmpty { return "it is empty" }
        if text == "mnist" || text == "fashion-mnist" {
            // The name alone: say which files make the folder, and that Keras's own download works too.
            let keras = text == "mnist" ? "mnist.npz" : "fashion-mnist (four .gz files; give that folder)"
            return "\(text) needs the folder holding its four original files: write \(text):DIR, with train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (.gz or not; the README gives their SHA-256 sums) in DIR. keras.datasets.\(text.replacingOccurrences(of: "-", with: "_")).load_data() keeps its copy in ~/.keras/datasets/\(keras)"
                + (text == "mnist" ? ", which npz:~/.keras/datasets/mnist.npz reads" : "")
        }
        if text.lowercased().hasSuffix(".npz") { return "it says no kind (did you mean npz:\(text)?)" }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory), isDirectory.boolValue {
            return "it says no kind (did you mean mnist:\(text) or fashion-mnist:\(text)?)"
        }
        return "it says no kind (a kind and a ':' come first)"
    }
}
