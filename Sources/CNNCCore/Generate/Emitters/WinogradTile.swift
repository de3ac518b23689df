/// The two Winograd algorithms a 3x3 stride-1 Conv2D can run by: F(2x2, 3x3)
/// and F(4x4, 3x3) (Lavin and Gray, 2015). A tile of m x m outputs comes from
/// an n x n patch of input, n = m + 2, in n² products per input and output
/// channel: 16 for 4 outputs (4 a pixel) or 36 for 16 (2.25 a pixel), against
/// 9 a pixel for the direct sums.
///
/// F(4x4)'s transforms have larger coefficients, so its rounding errors are
/// larger. Its points are 0, 1, −1, 2, −½ (and ∞), not the usual 0, ±1, ±2:
/// on random 3x3 convolutions of 16 to 64 channels, against a double-precision
/// reference and relative to the output's standard deviation, the worst error
/// is 0.5–1.1e-5 (root mean square 0.7–1.2e-6), against 1.4–2.7e-5 for ±2;
/// F(2x2)'s is 0.7–1.6e-6 and the direct float32 sums' 0.5–1.0e-6.
/// Barabasz et al., "Error analysis and improving the accuracy of Winograd
/// convolution for deep neural networks" (2020), explain the choice.
/// `Benchmarks/winograd/points.py` reruns the comparison. Training keeps
/// F(2x2) in its forward pass (`WinogradTrainingForward` says why).
///
/// The kernel transform G lives with the weights (`WeightPacking.winograd`,
/// which takes the tile size); the two must name the same points.
enum WinogradTile: Int, Codable, Hashable, Sendable {
    case two = 2
    case four = 4

    /// Outputs along each side of a tile: m.
    var size: Int { rawValue }
    /// Inputs along each side of its patch: n = m + 2.
    var patch: Int { rawValue + 2 }
    /// The products a tile takes per input and output channel: n².
    var products: Int { patch * patch }

    /// Bᵀ (n x n): V = Bᵀ d B for a patch d.
    var inputTransform: [[Double]] {
        switch self {
        case .two:
            [[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]]
        case .four:
            [[1, 1.5, -2, -1.5, 1, 0],
             [0, -1, -2.5, -0.5, 1, 0],
             [0, 1, 0.5, -2.5, 1, 0],
             [0, -0.5, -1, 0.5, 1, 0],
             [0, 2, -1, -2, 1, 0],
             [0, 1, 1.5, -2, -1.5, 1]]
        }
    }

    /// Aᵀ (m x n): Y = Aᵀ M A for a tile's products M.
    var outputTransform: [[Double]] {
        switch self {
        case .two:
            [[1, 1, 1, 0], [0, 1, -1, -1]]
        case .four:
            [[1, 1, 1, 1, 1, 0],
             [0, 1, -1, 2, -0.5, 0],
             [0, 1, 1, 4, 0.25, 0],
             [0, 1, -1, 8, -0.125, 1]]
        }
    }

    /// G (n x 3): U = G g Gᵀ for a kernel g. The weights transform it in
    /// Double (`WeightPacking.winogradKernelTransform`, which must agree);
    /// training's dL/dkernel folds its sums with it (`kernelAdjoint`).
    var kernelTransform: [[Double]] {
        switch self {
        case .two: [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]]
        case .four: [[1, 0, 0], [-1.0 / 3, -1.0 / 3, -1.0 / 3], [1.0 / 3, -1.0 / 3, 1.0 / 3],
                     [1.0 / 15, 2.0 / 15, 4.0 / 15], [-16.0 / 15, 8.0 / 15, -4.0 / 15], [0, 0, 1]]
        }
    }

    /// A (n x m), Aᵀ transposed: dL/dM = A dL/dY Aᵀ for a tile's gradient dL/dY.
    var outputAdjoint: [[Double]] { (0..<patch).map { k in outputTransform.map { $0[k] } } }
    /// Gᵀ (3 x n): dL/dg = Gᵀ dL/dU G.
    var kernelAdjoint: [[Double]] { (0..<3).map { a in kernelTransform.map { $0[a] } } }

    /// The tile for a layer of this output size. F(4x4) takes 2.25 products a
    /// pixel instead of 4, but a tile reaching past the output computes
    /// outputs no one reads, so it is taken where its products over the
    /// whole padded output are at most 3/4 of F(2x2)'s: every square size
    /// from 7 on but 9 and 10, whose 4x4 tiles would cover 12x12.
    ///
    /// With `channelPairs` (input channels times padded output channels), a
    /// layer whose U, one matrix a product, outgrows the caches
    /// (`WinogradConvolutionEmitter.cachedKernelFloats`) reads it from memory
    /// at every sample, and F(4x4)'s U is 36/16 of F(2x2)'s: the tile whose
    /// products or whose reads of U take longer takes less. ResNet50's 3x3
    /// layers on 7x7 pixels of 512 channels read 37.7 MB of U in F(4x4), at
    /// 1.04 ms a layer on a Zen 5, for 4 tiles' products where F(2x2) does
    /// 16 tiles' over 16.8 MB.
    static func choice(outputHeight: Int, outputWidth: Int, channelPairs: Int? = nil) -> WinogradTile {
        let two = Self.two.productCount(outputHeight: outputHeight, outputWidth: outputWidth)
        let four = Self.four.productCount(outputHeight: outputHeight, outputWidth: outputWidth)
        guard outputHeight >= 6 && outputWidth >= 6 && 4 * four <= 3 * two else { return .two }
        guard let channelPairs else { return .four }
        /// Per pair of channels: its multiply-adds, or the time its U's floats take from memory, whichever is longer.
        func cost(_ tile: WinogradTile, _ products: Int) -> Int {
            let streams = tile.products * channelPairs > WinogradConvolutionEmitter.cachedKernelFloats
            return max(products, streams ? tile.products * Self.multiplyAddsPerFloatFromMemory : 0)
        }
        return cost(.two, two) < cost(.four, four) ? .two : .four
    }

    /// Multiply-adds one core does in the time memory delivers it one float,
    /// at least: a Zen 3 core about 47 G a second against about 6 G floats
    /// read, a Zen 5's 137 G against 10 G.
    static let multiplyAddsPerFloatFromMemory = 8

    /// Products per input and output channel over the tiles that cover the output.
    func productCount(outputHeight: Int, outputWidth: Int) -> Int {
        products * tiles(outputHeight: outputHeight, outputWidth: outputWidth)
    }

    /// The tiles that cover an output of this size.
    func tiles(outputHeight: Int, outputWidth: Int) -> Int {
        ((outputHeight + size - 1) / size) * ((outputWidth + size - 1) / size)
    }

    /// Σ coefficients[k] · terms[k] as a Swift expression of vectors of type
    /// `vector`: terms of equal magnitude summed first and multiplied once
    /// (`madd`) by the constant `constantName(vector, coefficient)` names
    /// (`emitHelpers` declares them), positive terms first, zeros left
    /// out. For F(2x2) that is just sums and differences.
    static func combination(_ coefficients: [Double], of terms: [String], vector: String) -> String {
        var groups: [(magnitude: Double, terms: [(sign: Double, term: String)])] = []
        for (coefficient, term) in zip(coefficients, terms) where coefficient != 0 {
            let magnitude = abs(coefficient), sign: Double = coefficient < 0 ? -1 : 1
            if let at = groups.firstIndex(where: { $0.magnitude == magnitude }) {
                groups[at].terms.append((sign, term))
            } else {
                groups.append((magnitude, [(sign, term)]))
            }
        }
        // The terms of magnitude 1 first: they start the sum.
        groups.sort { ($0.magnitude == 1 ? 0 : 1, $0.magnitude) < ($1.magnitude == 1 ? 0 : 1, $1.magnitude) }
        var expression: String? = nil
        for group in groups {
            // The group's signed sum, led by a positive term where there is one;
            // a negative lead turns into the sign of the multiplier.
            let ordered = group.terms.filter { $0.sign > 0 } + group.terms.filter { $0.sign < 0 }
            let lead = ordered[0].sign
            let sum = ordered.dropFirst().reduce(ordered[0].term) { $0 + ($1.sign == lead ? " + " : " - ") + $1.term }
            if group.magnitude == 1 {
                if let sofar = expression {
                    expression = ordered.count == 1 ? "\(sofar) \(lead > 0 ? "+" : "-") \(sum)" : "\(sofar) \(lead > 0 ? "+" : "-") (\(sum))"
                } else {
                    expression = lead > 0 ? sum : "-(\(sum))"
                }
            } else {
                let factor = Self.constantName(vector, lead * group.magnitude)
                if let sofar = expression {
                    expression = "madd(\(sofar), \(ordered.count == 1 ? sum : "(\(sum))"), \(factor))"
                } else {
                    expression = "(\(sum)) * \(factor)"
                }
            }
        }
        return expression ?? "\(vector)()"
    }

    /// `V16_m2_5: V16 = V16(repeating: -2.5)`: the constant `combination` names, declared.
    static func constantDeclaration(_ vector: String, _ value: Double) -> String {
        "\(constantName(vector, value)): \(vector) = \(vector)(repeating: \(literal(value)))"
    }

    /// The name of a vector of `vector` with every lane `value`: `V16_m2_5` for
    /// −2.5 (any character of the literal that cannot be in a name, such as an
    /// exponent's sign, becomes `_`).
    static func constantName(_ vector: String, _ value: Double) -> String {
        let digits = literal(abs(value)).map { $0.isLetter || $0.isNumber ? String($0) : "_" }.joined()
        return "\(vector)_\(value < 0 ? "m" : "")\(digits)"
    }

    /// The file-level functions of the 1-D transforms, Bᵀ on n vectors and
    /// Aᵀ on n vectors (`emitHelpers`): a kernel calls them once per row and
    /// column of a patch, which type-checks in a fraction of the time the
    /// same sums written out take (cats_vs_dogs compiled 2.4 s faster).
    var inputFunction: String { "winogradInput\(size)" }
    var outputFunction: String { "winogradOutput\(size)" }
    /// The adjoints dL/dkernel needs: A on m vectors, Gᵀ on n.
    var outputAdjointFunction: String { "winogradOutputAdjoint\(size)" }
    var kernelAdjointFunction: String { "winogradKernelAdjoint\(size)" }

    /// `inputFunction` and `outputFunction` for vectors of each of `lanes`,
    /// always inlined; their multiply-adds are the file's `madd`.
    static func emitHelpers(lanes: [Int], into out: inout SourceWriter) {
        for tile in [WinogradTile.two, .four] {
            for width in lanes {
                let vector = VectorTypes.name(width)
                for (function, matrix) in [(tile.inputFunction, tile.inputTransform), (tile.outputFunction, tile.outputTransform),
                                           (tile.outputAdjointFunction, tile.outputAdjoint), (tile.kernelAdjointFunction, tile.kernelAdjoint)] {
                    let inputs = matrix[0].count
                    let parameters = (0..<inputs).map { "_ x\($0): \(vector)" }.joined(separator: ", ")
                    let results = "(" + Array(repeating: vector, count: matrix.count).joined(separator: ", ") + ")"
                    out.line("@inline(__always)")
                    out.block("private func \(function)(\(parameters)) -> \(results)") { out in
                        let constants = constantValues(of: matrix)
                        if !constants.isEmpty {
                            out.line("let " + constants.map { constantDeclaration(vector, $0) }.joined(separator: ", "))
                        }
                        let terms = (0..<inputs).map { "x\($0)" }
                        out.line("return (" + matrix.map { combination($0, of: terms, vector: vector) }.joined(separator: ", ") + ")")
                    }
                }
            }
        }
    }

    /// The multipliers `combination` uses for `matrix`, each signed as its group's leading term.
    static func constantValues(of matrix: [[Double]]) -> [Double] {
        var values: [Double] = []
        for row in matrix {
            var magnitudes: [Double] = []
            for value in row where value != 0 && abs(value) != 1 && !magnitudes.contains(abs(value)) { magnitudes.append(abs(value)) }
            for magnitude in magnitudes {
                let lead: Double = row.contains(magnitude) ? 1 : -1
                if !values.contains(lead * magnitude) { values.append(lead * magnitude) }
            }
        }
        return values
    }

    /// A coefficient as a Float literal: the transforms' are short binary
    /// fractions; G's thirds and fifteenths round to the nearest Float.
    static func literal(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(Float(value))
    }
}
