/// A pass over the layers (the forward pass, its split form, the block
/// path's head) as a Swift function.
///
/// The Swift compiler's time grows faster than the length of one function:
/// 800 layer calls in one body took 23 s to optimize, and the same calls cut
/// into functions of 64 took 8.6 s (`-O`, one core). So a deep model's pass
/// is cut into parts of at most `ModelProgram.layersPerFunction` layers, which
/// the pass calls one after another; a model that fits in one part keeps
/// one function, inlined into its callers as before.
struct LayerRunFunctions {
    /// The function's name; its parts are `name_part0`, `name_part1`, ….
    let name: String
    /// The parameter list, written once for the pass and each of its parts.
    let parameters: String
    /// The same parameters as arguments, to call the parts with.
    let arguments: String
    /// Lines each function starts with.
    let prologue: (inout SourceWriter) -> Void
    /// The lines of each layer, in order.
    let layers: [SourceWriter]

    /// A pass of the forward pass's kind, over `(input, <result>, arena, w)`
    /// and `extra` (the observer, or the worker pool), with the forward
    /// prologue (`InferenceArena.declarePrologue`).
    static func inference(_ name: String, result: String = "output", extra: (name: String, type: String)? = nil,
                          observed: Bool, layers: [SourceWriter]) -> LayerRunFunctions {
        let names = ["input", result, "arena", "w"] + (extra.map { [$0.name] } ?? [])
        let types = ["UnsafePointer<Float>", "UnsafeMutablePointer<Float>", "UnsafeMutablePointer<Float>", "UnsafePointer<Float>"]
            + (extra.map { [$0.type] } ?? [])
        return LayerRunFunctions(
            name: name,
            parameters: zip(names, types).map { "_ \($0): \($1)" }.joined(separator: ", "),
            arguments: names.joined(separator: ", "),
            prologue: { InferenceArena.declarePrologue(observed: observed, into: &$0) },
            layers: layers)
    }

    func emit(into out: inout SourceWriter) {
        let parts = stride(from: 0, to: layers.count, by: ModelProgram.layersPerFunction).map {
            layers[$0..<min($0 + ModelProgram.layersPerFunction, layers.count)]
        }
        out.line("@inline(__always)")
        guard parts.count > 1 else {
            out.block("private func \(name)(\(parameters))") { out in
                prologue(&out)
                for layer in layers { out.embed(layer.text) }
            }
            return
        }
        out.block("private func \(name)(\(parameters))") { out in
            for number in parts.indices { out.line("\(name)_part\(number)(\(arguments))") }
        }
        for (number, part) in parts.enumerated() {
            out.line()
            out.line("/// Part \(number + 1) of \(parts.count) of `\(name)`: a function of its own, so the compiler's time grows with the model's depth, not faster.")
            out.line("@inline(never)")
            out.block("private func \(name)_part\(number)(\(parameters))") { out in
                prologue(&out)
                for layer in part { out.embed(layer.text) }
            }
        }
    }
}
