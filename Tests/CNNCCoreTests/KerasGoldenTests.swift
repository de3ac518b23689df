import CNNCCore
import Testing

/// `cnnc summary` against text printed by real Keras 3 (Tools/keras-fixtures
/// made every golden; see its README to rerun it).
@Suite struct KerasGoldenTests {
    static let specs = RepositoryFiles.files(in: "Specs", extensions: ["yaml", "json"])
        + RepositoryFiles.files(in: "Tests/Fixtures/specs", extensions: ["yaml", "json"])
    static let keras3JSON = RepositoryFiles.files(in: "Tests/Fixtures/keras/json3", extensions: ["json"])
    static let keras2JSON = RepositoryFiles.files(in: "Tests/Fixtures/keras/json2", extensions: ["json"])

    static func stem(_ path: String) -> String {
        String(path.split(separator: "/").last!.split(separator: ".").first!)
    }

    static func summary(of path: String, lineLength: Int = 76) throws -> String {
        try KerasSummary(lineLength: lineLength).render(try RepositoryFiles.model(path))
    }

    @Test func everySpecHasAGolden() {
        #expect(Self.specs.count >= 15)
        for spec in Self.specs {
            #expect(RepositoryFiles.files(in: "Tests/Fixtures/keras/summary", extensions: ["txt"])
                .contains("Tests/Fixtures/keras/summary/\(Self.stem(spec)).txt"), "no Keras golden for \(spec)")
        }
    }

    /// The goldens are what Keras itself printed.
    static let refresh = "Tools/keras-fixtures (see CONTRIBUTING.md)"

    /// Not a terminal: Keras prints at 76 columns (80-column fallback less 4).
    @Test(arguments: specs)
    func specSummaryMatchesKeras(spec: String) throws {
        let name = "Tests/Fixtures/keras/summary/\(Self.stem(spec)).txt"
        expectMatchesGolden(try Self.summary(of: spec), try RepositoryFiles.read(name), name: name, refresh: Self.refresh)
    }

    /// The same models read back from Keras 3's own `model.to_json()`.
    @Test(arguments: keras3JSON)
    func keras3JSONSummaryMatchesKeras(file: String) throws {
        let name = "Tests/Fixtures/keras/summary/\(Self.stem(file)).txt"
        expectMatchesGolden(try Self.summary(of: file), try RepositoryFiles.read(name), name: name, refresh: Self.refresh)
    }

    /// Models saved by Keras 2 (tf.keras), summarised as Keras 3 would.
    @Test(arguments: keras2JSON)
    func keras2JSONSummaryMatchesKeras(file: String) throws {
        let name = "Tests/Fixtures/keras/summary/\(Self.stem(file)).txt"
        expectMatchesGolden(try Self.summary(of: file), try RepositoryFiles.read(name), name: name, refresh: Self.refresh)
    }

    /// `line_length=100` on a 120-column terminal. (On an 80-column console
    /// Keras crops such a table at column 80; cnnc prints it whole.)
    @Test(arguments: RepositoryFiles.files(in: "Tests/Fixtures/keras/summary-ll100-columns120", extensions: ["txt"]))
    func lineLength100MatchesKeras(golden: String) throws {
        let stem = Self.stem(golden)
        let spec = Self.specs.first { Self.stem($0) == stem }!
        expectMatchesGolden(try Self.summary(of: spec, lineLength: 100), try RepositoryFiles.read(golden), name: golden, refresh: Self.refresh)
    }

    @Test func kerasDefaultWidths() throws {
        // rich's cell widths with padding: 33/24/15 at 76 columns, 38/29/17 at 88.
        #expect(BoxTableProbe.widths(76) == [33, 24, 15])
        #expect(BoxTableProbe.widths(88) == [38, 29, 17])
        #expect(KerasSummary.defaultLineLength(terminalColumns: 80) == 76)
        #expect(KerasSummary.defaultLineLength(terminalColumns: 200) == 88)
    }
}

/// Reads the column widths out of a rendered summary's top border.
enum BoxTableProbe {
    static func widths(_ lineLength: Int) -> [Int] {
        let model = try! Frontend.load(text: "input_shape: [4]\nlayers: [Flatten]\n", file: "probe.yaml").get()
        let text = try! KerasSummary(lineLength: lineLength).render(model)
        let border = text.split(separator: "\n")[1].dropFirst().dropLast()
        return border.split(separator: "┳").map(\.count)
    }
}
