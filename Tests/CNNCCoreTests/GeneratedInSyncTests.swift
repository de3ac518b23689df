import CNNCCore
import Foundation
import Testing

/// Generated/ is the generator's output for Specs/, committed: it must be
/// exactly what the generator makes today. To refresh it after changing the
/// generator or a spec: `swift run cnnc generate Specs/*.yaml --output-dir Generated`.
/// The random models' Swift in Tests/RandomModels likewise: `Tools/random-specs/refresh.sh`.
@Suite struct GeneratedInSyncTests {
    static let specs = RepositoryFiles.files(in: "Specs", extensions: ["yaml", "json"])
    static let randomSpecs = RepositoryFiles.files(in: "Tests/Fixtures/random", extensions: ["yaml"])

    @Test(arguments: specs + randomSpecs)
    func generatedFileIsCurrent(spec: String) throws {
        let model = try RepositoryFiles.model(spec)
        let fresh = ModelGenerator(model: model, specPath: spec).generate()
        let folder = spec.hasPrefix("Specs/") ? "Generated" : "Tests/RandomModels"
        let path = "\(folder)/\(SwiftNames.fileName(forSpecPath: spec))"
        let committed = try? RepositoryFiles.read(path)
        #expect(committed != nil, "\(path) is missing; run: swift run cnnc generate Specs/*.yaml --output-dir Generated")
        guard let committed, committed != fresh else { return }
        let old = committed.split(separator: "\n", omittingEmptySubsequences: false)
        let new = fresh.split(separator: "\n", omittingEmptySubsequences: false)
        let first = zip(old, new).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(old.count, new.count)
        Issue.record("""
            \(path) is stale (first difference at line \(first + 1)):
            - \(first < old.count ? String(old[first]) : "<end of file>")
            + \(first < new.count ? String(new[first]) : "<end of file>")
            Refresh it: swift run cnnc generate Specs/*.yaml --output-dir Generated (or Tools/random-specs/refresh.sh)
            """)
    }

    @Test func noGeneratedFileWithoutSpec() throws {
        let expected = Set(Self.specs.map { SwiftNames.fileName(forSpecPath: $0) })
        let present = Set(RepositoryFiles.files(in: "Generated", extensions: ["swift"]).map { String($0.split(separator: "/").last!) })
        #expect(present == expected)
        #expect(Self.randomSpecs.count == 200)
    }
}
