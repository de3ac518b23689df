/// Resizing's forward and backward functions: the taps `ResizingGeometry`
/// works out (as `jax.image.resize` weighs them) written as the tables of a
/// `ResamplingTables` constant, which the runtime walks.
struct ResizingEmitter: Codable, Hashable {
    var function: String
    var input: TensorShape
    var config: ResizingConfig

    private var tables: String { "\(function)_tables" }

    /// `static let function_tables`, then `function(x, y)`.
    func emit(into out: inout SourceWriter) {
        let geometry = ResizingGeometry(config, inputHeight: input.dimensions[0], inputWidth: input.dimensions[1])
        func list<T>(_ values: [T]) -> String { "[" + values.map { "\($0)" }.joined(separator: ", ") + "]" }
        let rows = geometry.rowTaps.flatMap { $0 }, columns = geometry.columnTaps.flatMap { $0 }
        out.line("// \(input.dimensions[0])x\(input.dimensions[1]) → \(config.height)x\(config.width), \(config.bilinear ? "bilinear" : "nearest"): each output row's and column's taps (canvas index, weight)")
        out.line("static let \(tables) = ResamplingTables(")
        out.line("    height: \(input.dimensions[0]), width: \(input.dimensions[1]), channels: \(input.lastAxis), canvasHeight: \(geometry.canvasHeight), canvasWidth: \(geometry.canvasWidth), rowShift: \(geometry.rowShift), columnShift: \(geometry.columnShift), fill: \(Float(config.fillValue)),")
        out.line("    rowTaps: \(geometry.rowTaps.first?.count ?? 1), rowIndices: \(list(rows.map(\.index))), rowWeights: \(list(rows.map(\.weight))),")
        out.line("    columnTaps: \(geometry.columnTaps.first?.count ?? 1), columnIndices: \(list(columns.map(\.index))), columnWeights: \(list(columns.map(\.weight))))")
        out.line()
        out.line("@inline(never)")
        out.block("static func \(function)(_ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>)") { out in
            out.line("Self.\(tables).resize(x, y)")
        }
    }

    /// `function_backward(dy, dx)`, with the forward function's tables.
    func emitBackward(into out: inout SourceWriter) {
        out.line("@inline(never)")
        out.block("static func \(function)_backward(_ dy: UnsafePointer<Float>, _ dx: UnsafeMutablePointer<Float>)") { out in
            out.line("Self.\(tables).gradient(dy, dx)")
        }
    }
}
