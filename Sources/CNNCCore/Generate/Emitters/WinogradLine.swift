/// Winograd's 1-D F(m, r) (Toom-Cook; Lavin and Gray, 2015), which a Conv1D
/// of r taps at stride and dilation 1 runs by (`WinogradConvolutionEmitter`
/// with a `line`): m outputs of a run of n = m + r − 1 inputs in n products
/// per input and output channel, instead of m·r.
///
/// The transforms come from n − 1 points and ∞, in the order `points` lists
/// them (0, 1, −1, 2, −½, −2, ½): with r taps g and a patch d,
/// y = Aᵀ [(G g) ⊙ (Bᵀ d)]. For a finite point p_j, Aᵀ's column j is
/// (1, p_j, p_j², …), G's row j is (1, p_j, …, p_j^(r−1)) / f_j with
/// f_j = Π_{l≠j} (p_j − p_l), and Bᵀ's row j is the coefficients of
/// M(x) / (x − p_j), where M(x) = Π_l (x − p_l); ∞ contributes the last
/// columns of Aᵀ and G and M's own coefficients as Bᵀ's last row. Bᵀ and
/// Aᵀ then hold short binary fractions (products of the points), which the
/// kernels multiply by exactly; the fractions f_j divides by live in G,
/// which the weights apply in Double (`WeightPacking.winogradLine`).
///
/// Rounding, against a double-precision reference and relative to the
/// output's standard deviation, on 16 to 64 channels after a ReLU
/// (`Benchmarks/winograd/points.py`): worst 2.2–6.3e-6 for F(4, 5), 2.4–6.3e-6
/// for F(6, 3), 2.5–4.3e-6 for F(2, 7) (root mean square 4–6e-7), against
/// 0.4–0.7e-6 for the direct float32 sums; 2-D F(4x4, 3x3) is at 0.5–1.1e-5
/// (`WinogradTile`).
struct WinogradLine: Codable, Hashable, Sendable {
    /// Outputs of a tile: m.
    var outputs: Int
    /// Taps of the kernel: r.
    var taps: Int

    /// Inputs of a tile's patch: n = m + r − 1.
    var patch: Int { outputs + taps - 1 }

    /// The finite points, as many as a patch of at most 8 takes. Their order
    /// keeps the small ones first: of F(4, 3)'s two choices 0, ±1, 2 with −½
    /// or −2, −½ has the smaller error (2.8e-6 against 5.6e-6).
    static let points: [Double] = [0, 1, -1, 2, -0.5, -2, 0.5]

    /// The longest patch the points allow.
    static let longestPatch = points.count + 1

    var finitePoints: [Double] { Array(Self.points.prefix(patch - 1)) }

    /// Bᵀ (n x n): V = Bᵀ d for a patch d. Row j is signed as f_j, so
    /// that G's row divides by |f_j| (its first row, the point 0, is then (1 / |f_0|, 0, …)).
    var inputTransform: [[Double]] {
        let points = finitePoints
        let all = Self.polynomial(withRoots: points)
        let rows = points.indices.map { j in
            let sign: Double = scale(j) < 0 ? -1 : 1
            return (Self.polynomial(withRoots: points.enumerated().filter { $0.offset != j }.map(\.element)) + [0]).map { sign * $0 + 0 }
        }
        return rows + [all]
    }

    /// Aᵀ (m x n): y = Aᵀ M for a tile's products M.
    var outputTransform: [[Double]] {
        (0..<outputs).map { i in finitePoints.map { Self.power($0, i) } + [i == outputs - 1 ? 1 : 0] }
    }

    /// G (n x r): U = G g for a kernel's r taps.
    var kernelTransform: [[Double]] {
        let points = finitePoints
        let rows = points.enumerated().map { j, point in
            (0..<taps).map { Self.power(point, $0) / abs(scale(j)) + 0 }
        }
        return rows + [(0..<taps).map { $0 == taps - 1 ? 1 : 0 }]
    }

    /// f_j = Π_{l≠j} (p_j − p_l) over the finite points.
    private func scale(_ j: Int) -> Double {
        let points = finitePoints
        return points.enumerated().filter { $0.offset != j }.reduce(1.0) { $0 * (points[j] - $1.element) }
    }

    /// The tile for a Conv1D of `taps` taps and `length` outputs, or nil
    /// where the direct sums are as good: the m (at least 2, at most a
    /// patch of 8) whose products over the tiles that cover the output are
    /// fewest, the smaller m on a tie, taken where those products are at
    /// most 3/4 of the direct kernel's r per output. A kernel of 2 taps
    /// saves too little beside the transforms, and one past 7 has no room
    /// for m ≥ 2 in 8 points.
    static func choice(taps: Int, length: Int) -> WinogradLine? {
        guard taps >= 3, taps + 1 <= longestPatch else { return nil }
        let candidates = (2...(longestPatch - taps + 1)).map { WinogradLine(outputs: $0, taps: taps) }.filter { 2 * $0.outputs <= length }
        guard let best = candidates.min(by: { $0.productCount(length: length) < $1.productCount(length: length) }) else { return nil }
        return 4 * best.productCount(length: length) <= 3 * taps * length ? best : nil
    }

    /// Products per input and output channel over the tiles that cover `length` outputs.
    func productCount(length: Int) -> Int { patch * tiles(length: length) }

    /// Tiles that cover `length` outputs.
    func tiles(length: Int) -> Int { (length + outputs - 1) / outputs }

    /// The coefficients, constant term first, of Π (x − root).
    static func polynomial(withRoots roots: [Double]) -> [Double] {
        var coefficients: [Double] = [1]
        for root in roots {
            var next = [Double](repeating: 0, count: coefficients.count + 1)
            for (power, value) in coefficients.enumerated() {
                next[power + 1] += value
                next[power] -= root * value
            }
            coefficients = next
        }
        return coefficients
    }

    private static func power(_ base: Double, _ exponent: Int) -> Double {
        (0..<exponent).reduce(1.0) { product, _ in product * base }
    }
}
