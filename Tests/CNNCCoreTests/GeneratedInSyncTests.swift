import CNNCCore
import Foundation
import Testing

/// Generated Swift is committed (Generated/ for the zoo, Tests/FixtureModels
/// and Tests/RandomModels for tests) and must be exactly what the generator
/// makes today. After changing the generator or a spec: Tools/refresh-generated.sh
@Suite struct GeneratedInSyncTests {
    /// Spec folders, the folder their generated Swift lives in, and the CPU
    /// kind its kernels are shaped for (as Tools/refresh-generated.sh passes
    /// it): each kind is compiled and checked against Keras or the Float64
    /// reference in every test run, whatever machine runs it.
    static let folders: [(specs: String, generated: String, target: TargetCPU)] = [
        ("Specs", "Generated", .avx512on256),
        ("Tests/Fixtures/specs", "Tests/FixtureModels", .avx2),
        ("Tests/Fixtures/random", "Tests/RandomModels", .avx512Zen5),
        ("Tests/Fixtures/graphs", "Tests/GraphModels", .avx512),
    ]

    static func specs(in folder: String) -> [String] {
        // long_names.yaml tests the summary's wrapping only; it has no generated model.
        let files = RepositoryFiles.files(in: folder, extensions: ["yaml", "json"]).filter { !$0.hasSuffix("/long_names.yaml") }
        // Models nested in models, shared layers and operations on two tensors are Keras files
        // no spec can write (Tools/refresh-generated.sh).
        guard folder == "Tests/Fixtures/graphs" else { return files }
        let keras = ["shared_layers.json", "tensor_arithmetic.json", "siamese_tower.json", "siamese_blocks.json", "augmented_transfer.json", "siamese_outputs.json"]
        return files + RepositoryFiles.files(in: "Tests/Fixtures/keras/functional/json3", extensions: ["json"])
            .filter { let name = $0.split(separator: "/").last!; return name.hasPrefix("nested_") || keras.contains(String(name)) }
    }

    static let pairs = folders.flatMap { folder in specs(in: folder.specs).map { ($0, folder.generated) } }

    @Test(arguments: pairs)
    func generatedFileIsCurrent(spec: String, folder: String) throws {
        let model = try RepositoryFiles.model(spec)
        let target = try #require(Self.folders.first { $0.generated == folder }?.target)
        let fresh = ModelGenerator(model: model, specPath: spec, target: target).generate()
        let path = "\(folder)/\(SwiftNames.fileName(forSpecPath: spec))"
        let committed = try? RepositoryFiles.read(path)
        #expect(committed != nil, "\(path) is missing; run Tools/refresh-generated.sh")
        guard let committed, committed != fresh else { return }
        Issue.record("""
            \(path) is stale; refresh it with Tools/refresh-generated.sh. What the generator makes now:
            \(UnifiedDiff.text(old: committed, new: fresh, oldName: path, newName: "\(path) (generated now)"))
            """)
    }

    @Test(arguments: folders.map(\.generated))
    func noGeneratedFileWithoutSpec(folder: String) throws {
        let specFolder = Self.folders.first { $0.generated == folder }!.specs
        let expected = Set(Self.specs(in: specFolder).map { SwiftNames.fileName(forSpecPath: $0) })
        let present = Set(RepositoryFiles.files(in: folder, extensions: ["swift"])
            .map { String($0.split(separator: "/").last!) }.filter { $0.hasSuffix(".cnnc.swift") })
        #expect(present == expected)
    }

    /// Each folder's list of models.
    @Test(arguments: folders.map(\.generated))
    func registryIsCurrent(folder: String) throws {
        let specFolder = Self.folders.first { $0.generated == folder }!.specs
        let path = "\(folder)/Registry.swift"
        expectMatchesGolden(ModelRegistry.source(specPaths: Self.specs(in: specFolder)), try RepositoryFiles.read(path),
                            name: path, refresh: "Tools/refresh-generated.sh")
    }

    /// The registry and the generated types share one naming rule.
    @Test func typeNamesAreSwiftIdentifiersForAnySpecFileName() {
        #expect(SwiftNames.typeName(forSpecPath: "Specs/my-net.yaml") == "MyNet")
        #expect(SwiftNames.typeName(forSpecPath: "3d.yaml") == "Model3d")
        #expect(SwiftNames.typeName(forSpecPath: "cats_vs_dogs.cnn.yaml") == "CatsVsDogs")
        #expect(ModelRegistry.source(specPaths: ["a/my-net.yaml"]).contains("(\"a/my-net.yaml\", MyNet.self),"))
    }

    /// Spec text reaches generated code as literals that mean exactly that text.
    @Test func stringLiteralsEscapeEverythingThatCouldBecomeCode() {
        #expect(SwiftNames.stringLiteral(#"\(print("x"))"#) == #""\\(print(\"x\"))""#)
        #expect(SwiftNames.stringLiteral("a\nb\u{0}\u{2028}") == #""a\nb\u{0}\u{2028}""#)
        #expect(SwiftNames.stringLiteral("Свёртка $1") == "\"Свёртка $1\"")
    }

    /// Scratch on the stack stays small: cats_vs_dogs's training once put a
    /// 21 MB buffer there (withUnsafeTemporaryAllocation) and crashed the model
    /// executable, whose main thread has an 8 MB stack. No committed generated
    /// file asks for more than 64 KB of it at once.
    @Test func stackScratchStaysSmall() throws {
        let pattern = /withUnsafeTemporaryAllocation\(of: (?:SIMD(\d+)<)?Float>?\.self, capacity: (\d+), withTemporary\)/
        var largest = (bytes: 0, file: "")
        for folder in Self.folders.map(\.generated) {
            for file in RepositoryFiles.files(in: folder, extensions: ["swift"]) {
                for match in try RepositoryFiles.read(file).matches(of: pattern) {
                    let lanes = match.1.flatMap { Int($0) } ?? 1, capacity = Int(match.2) ?? 0
                    if lanes * capacity * 4 > largest.bytes { largest = (lanes * capacity * 4, file) }
                }
            }
        }
        #expect(largest.bytes > 0 && largest.bytes <= 64 << 10, "\(largest.bytes) bytes in \(largest.file)")
    }

    /// Scratch bodies are nested functions, never trailing closures: Swift
    /// type-checks a closure with the call around it, and one fixture's two
    /// pixel-lane kernels took 43 s of the test build that way (0.5 s each
    /// as functions; `SourceWriter.temporaryAllocation`).
    @Test func scratchBodiesAreFunctionsNotClosures() throws {
        var closures: [String] = []
        for folder in Self.folders.map(\.generated) {
            for file in RepositoryFiles.files(in: folder, extensions: ["swift"])
            where try RepositoryFiles.read(file).contains(/withUnsafeTemporaryAllocation\([^()]*\) *\{/) {
                closures.append(file)
            }
        }
        #expect(closures.isEmpty, "closures passed to withUnsafeTemporaryAllocation in \(closures)")
    }

    /// No function body declares a type: the compiler skips type-checking a
    /// body for the module's interface only when it declares none, and the
    /// kernels' `typealias V = SIMD8<Float>` once had every kernel
    /// type-checked twice in a debug build (`VectorTypes`). Declarations
    /// inside a model type sit 4 spaces in; in a body, 8 or more.
    @Test func functionBodiesDeclareNoTypes() throws {
        var found: [String] = []
        for folder in Self.folders.map(\.generated) {
            for file in RepositoryFiles.files(in: folder, extensions: ["swift"]) {
                for line in try RepositoryFiles.read(file).split(separator: "\n") where line.hasPrefix("        ") {
                    let code = line.drop { $0 == " " }
                    if ["typealias ", "struct ", "enum ", "class ", "actor ", "protocol "].contains(where: code.hasPrefix) {
                        found.append("\(file): \(line)")
                    }
                }
            }
        }
        #expect(found.isEmpty, "\(found.prefix(5))")
    }

    /// A spec file named like a type that generated code uses (`float.yaml`,
    /// `self.yaml`) gets another type name: every capitalized identifier in
    /// the code of the committed generated files, other than the models' own
    /// types, is one `SwiftNames` steers clear of.
    @Test func modelTypesNeverShadowANameGeneratedCodeUses() throws {
        let models = Set(Self.folders.flatMap { Self.specs(in: $0.specs) }.map { SwiftNames.typeName(forSpecPath: $0) })
        var used: Set<String> = []
        for folder in Self.folders.map(\.generated) {
            for file in RepositoryFiles.files(in: folder, extensions: ["swift"]) {
                used.formUnion(Self.capitalizedIdentifiers(inCodeOf: try RepositoryFiles.read(file)))
            }
        }
        let clashing = used.subtracting(models).filter { SwiftNames.typeName(forSpecPath: "\($0).yaml") == $0 }
        #expect(clashing.isEmpty, "add to SwiftNames.reservedTypeNames: \(clashing.sorted())")
        #expect(used.contains("UnsafePointer") && used.contains("SplitMix64"))
    }

    /// The capitalized identifiers (letters and digits) in Swift source,
    /// leaving out string literals (one-line and `"""` multi-line) and `//`
    /// comments. A scan of bytes: regular expressions over the 130,000
    /// generated lines took 20 s in a debug build.
    static func capitalizedIdentifiers(inCodeOf source: String) -> Set<String> {
        let bytes = Array(source.utf8)
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\"), newline = UInt8(ascii: "\n"), slash = UInt8(ascii: "/")
        func isWordByte(_ byte: UInt8) -> Bool {
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A) || byte == 0x5F
        }
        func isTripleQuote(at index: Int) -> Bool {
            index + 2 < bytes.count && bytes[index] == quote && bytes[index + 1] == quote && bytes[index + 2] == quote
        }
        enum Place { case code, string, multiLineString }
        var found: Set<String> = []
        var index = 0, place = Place.code
        while index < bytes.count {
            let byte = bytes[index]
            switch place {
            case .string, .multiLineString:
                if byte == newline {
                    // A one-line literal cannot continue past its line.
                    if place == .string { place = .code }
                    index += 1
                } else if byte == backslash {
                    // Skip the escaped byte, but never a line's end.
                    index += index + 1 < bytes.count && bytes[index + 1] != newline ? 2 : 1
                } else if place == .multiLineString, isTripleQuote(at: index) {
                    place = .code
                    index += 3
                } else if place == .string, byte == quote {
                    place = .code
                    index += 1
                } else {
                    index += 1
                }
            case .code:
                if isTripleQuote(at: index) {
                    place = .multiLineString
                    index += 3
                } else if byte == quote {
                    place = .string
                    index += 1
                } else if byte == slash, index + 1 < bytes.count, bytes[index + 1] == slash {
                    while index < bytes.count, bytes[index] != newline { index += 1 }
                } else if isWordByte(byte) {
                    let start = index
                    while index < bytes.count, isWordByte(bytes[index]) { index += 1 }
                    let word = bytes[start..<index]
                    if let first = word.first, first >= 0x41, first <= 0x5A, !word.contains(0x5F) {
                        found.insert(String(decoding: word, as: UTF8.self))
                    }
                } else {
                    index += 1
                }
            }
        }
        return found
    }

    @Test func capitalizedIdentifiersSkipLiteralsAndComments() {
        let source = "let x: Float = Foo(\"Bar \\\"Baz\\\" Qux\") // Quux\nvar _Hidden = Snake_Case + Lower + V2\n"
        #expect(Self.capitalizedIdentifiers(inCodeOf: source) == ["Float", "Foo", "Lower", "V2"])
        // A multi-line literal hides its lines, and the code after its close is read.
        let multiLine = "let s = \"\"\"\nInside \"Quoted\"\n\"\"\".utf8 + After\n"
        #expect(Self.capitalizedIdentifiers(inCodeOf: multiLine) == ["After"])
        // An unclosed one-line literal ends with its line; a backslash at a line's end does not carry it on.
        #expect(Self.capitalizedIdentifiers(inCodeOf: "let a = \"Open\nNext\nlet b = \"x\\\nThird\n") == ["Next", "Third"])
    }

    /// 100 drawn by make_random_specs.py and nine written by hand (random_100 on).
    @Test func oneHundredRandomSpecsAndNineByHand() {
        #expect(Self.specs(in: "Tests/Fixtures/random").count == 109)
    }
}
