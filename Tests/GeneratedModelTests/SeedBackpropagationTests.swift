import CNNCRuntime
import CNNCTraining
import CNNCZoo
import Testing

/// The lecture's back-propagation example (Specs/seed_backprop_3x3.cnn.yaml):
/// X 3x3, F 2x2, O = X * F 2x2. With a mean-squared-error loss against a
/// target T, dL/dO = 2(O − T)/4, and the lecture's equations give
///   dL/dF_ij = Σ_ab dL/dO_ab · X_(i+a)(j+b)     (X convolved with dL/dO)
///   dL/dX    = full convolution of dL/dO with F rotated by 180°.
/// The generated backward pass must give exactly these, element by element.
@Suite struct SeedBackpropagationTests {
    @Test func filterGradientIsTheConvolutionOfXWithTheOutputGradient() throws {
        let x: [[Float]] = [[1, 2, 3], [4, 5, 6], [7, 8, 9]]
        let f: [[Float]] = [[1, -1], [2, 0.5]]
        let t: [[Float]] = [[0, 1], [2, 3]]
        let model = try SeedBackprop3x3(parameters: f.flatMap { $0 })

        // The forward pass, as the lecture writes O11 = X11 F11 + X12 F12 + X21 F21 + X22 F22, …
        var o = [[Float]](repeating: [0, 0], count: 2)
        for i in 0..<2 { for j in 0..<2 {
            o[i][j] = x[i][j] * f[0][0] + x[i][j + 1] * f[0][1] + x[i + 1][j] * f[1][0] + x[i + 1][j + 1] * f[1][1]
        } }
        #expect(try model.predict(x.flatMap { $0 }) == o.flatMap { $0 })

        var dO = [[Float]](repeating: [0, 0], count: 2)
        for i in 0..<2 { for j in 0..<2 { dO[i][j] = 2 * (o[i][j] - t[i][j]) / 4 } }
        // dL/dF11 = dL/dO11·X11 + dL/dO12·X12 + dL/dO21·X21 + dL/dO22·X22, and so on.
        var dF = [[Float]](repeating: [0, 0], count: 2)
        for i in 0..<2 { for j in 0..<2 {
            dF[i][j] = dO[0][0] * x[i][j] + dO[0][1] * x[i][j + 1] + dO[1][0] * x[i + 1][j] + dO[1][1] * x[i + 1][j + 1]
        } }
        // dL/dX: dL/dO padded by one all round, convolved with F rotated 180°.
        var dX = [[Float]](repeating: [0, 0, 0], count: 3)
        for i in 0..<3 { for j in 0..<3 {
            for a in 0..<2 { for b in 0..<2 {
                let (oi, oj) = (i - 1 + a, j - 1 + b)
                if (0..<2).contains(oi), (0..<2).contains(oj) { dX[i][j] += dO[oi][oj] * f[1 - a][1 - b] }
            } }
        } }

        let gradients = try model.gradients(input: x.flatMap { $0 }, target: t.flatMap { $0 }, loss: .meanSquaredError)
        var squaredError: Float = 0
        for i in 0..<2 { for j in 0..<2 { squaredError += (o[i][j] - t[i][j]) * (o[i][j] - t[i][j]) } }
        #expect(gradients.loss == squaredError / 4)
        #expect(gradients.parameters == dF.flatMap { $0 })
        #expect(gradients.input == dX.flatMap { $0 })
    }
}
