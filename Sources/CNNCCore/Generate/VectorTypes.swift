/// The names kernels give SIMD vectors of Float: `V8` is `SIMD8<Float>`,
/// declared once at the top level of every generated file
/// (`declarations`). Kernels once declared `typealias V = SIMD8<Float>` in
/// their bodies; a body that declares a type is one the compiler cannot skip
/// when it emits a module's interface, so a debug build type-checked every
/// kernel twice (129 s of the 2-core test build's CPU went to the test
/// models' interfaces alone).
enum VectorTypes {
    /// Every width of Swift's SIMD types.
    static let widths = [2, 4, 8, 16, 32, 64]

    /// `V8` for 8 lanes.
    static func name(_ lanes: Int) -> String { "V\(lanes)" }

    /// `private typealias V8 = SIMD8<Float>` for every width: unused ones cost nothing.
    static var declarations: [String] { widths.map { "private typealias \(name($0)) = SIMD\($0)<Float>" } }

    /// `load16` for `V16`: the method that reads a vector of that width from a
    /// pointer (`wp.load16(at: ci * 64)`), declared in every generated file
    /// (`loadDeclarations`). `wp.simd(V16.self, at: …)` names a runtime method
    /// with a generic and three concrete overloads, which the type checker
    /// weighed at every load: ten copies of ResNet50's slowest kernel to check
    /// (its batch path's 3x3, 3,940 loads) took 3.13–3.44 s, 2.84–3.15 s with
    /// the loads by width. The same load.
    static func load(_ vector: String) -> String { "load" + vector.dropFirst() }

    /// The loads of every width, on both kinds of pointer to Float.
    static var loadDeclarations: [String] {
        ["UnsafePointer<Float>", "UnsafeMutablePointer<Float>"].flatMap { pointer in
            ["private extension \(pointer) {"]
                + widths.map { "    @inline(__always) func \(load(name($0)))(at offset: Int) -> SIMD\($0)<Float> { simd(SIMD\($0)<Float>.self, at: offset) }" }
                + ["}"]
        }
    }
}
