/// RepeatVector's forward and backward functions: y holds n copies of the
/// vector x one after the other ((n, features), channels last), and dL/dx
/// is the sum of dL/dy over the n copies.
struct RepeatVectorEmitter: Codable, Hashable {
    var function: String
    var features: Int
    var copies: Int

    /// `function(x, y)`.
    func emit(into out: inout SourceWriter) {
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)") { out in
            out.line("for copy in 0..<\(copies) { (y + copy * \(features)).update(from: x, count: \(features)) }")
        }
    }

    /// `function_backward(dy, dx)`.
    func emitBackward(into out: inout SourceWriter) {
        out.line("@inline(never)")
        out.block("static func \(function)_backward(_ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>)") { out in
            out.line("dx.update(from: dy, count: \(features))")
            guard copies > 1 else { return }
            out.block("for copy in 1..<\(copies)") { out in
                out.line("let source = dy + copy * \(features)")
                out.line("for i in 0..<\(features) { dx[i] += source[i] }")
            }
        }
    }
}
