import Foundation

/// Where `cnnc train` and `cnnc evaluate` get their images, as written on the
/// command line:
///
///     mnist:DIR           MNIST's four IDX files (plain or .gz) in DIR
///     fashion-mnist:DIR   Fashion-MNIST's, named as MNIST's
public enum DatasetSource: Sendable, Equatable {
    case mnist(directory: String)
    case fashionMNIST(directory: String)

    /// The forms an argument may take, for messages.
    public static let forms = ["mnist:DIR", "fashion-mnist:DIR"]

    /// Reads one of `forms`; a `~` at the start of a path is the home directory.
    public init(parsing argument: String) throws(DataError) {
        let text = argument.trimmingCharacters(in: .whitespaces)
        guard let colon = text.firstIndex(of: ":") else {
            throw DataError.unknownSource(argument, reason: Self.guess(text))
        }
        let scheme = String(text[..<colon])
        let path = (String(text[text.index(after: colon)...]) as NSString).expandingTildeInPath
        guard ["mnist", "fashion-mnist"].contains(scheme) else {
            throw DataError.unknownSource(argument, reason: "the kind '\(scheme)' is unknown")
        }
        guard !path.isEmpty else {
            throw DataError.unknownSource(argument, reason: "there is no directory after '\(scheme):'")
        }
        switch scheme {
        case "mnist": self = .mnist(directory: path)
        default: self = .fashionMNIST(directory: path)
        }
    }

    /// Reads the images.
    public func load() throws(DataError) -> Dataset {
        switch self {
        case .mnist(let directory):
            let (train, test) = try IDXFolder(directory: directory).load()
            return Dataset(name: "MNIST", train: train, test: test, classNames: Dataset.digitClassNames)
        case .fashionMNIST(let directory):
            let (train, test) = try IDXFolder(directory: directory).load()
            return Dataset(name: "Fashion-MNIST", train: train, test: test, classNames: Dataset.fashionMNISTClassNames)
        }
    }

    /// Why a bare argument is not a data set, with the likely intended form.
    private static func guess(_ text: String) -> String {
        if text.isEmpty { return "it is empty" }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory), isDirectory.boolValue {
            return "it says no kind (did you mean mnist:\(text) or fashion-mnist:\(text)?)"
        }
        return "it says no kind (a kind and a ':' come first)"
    }
}
