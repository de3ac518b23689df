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
}
