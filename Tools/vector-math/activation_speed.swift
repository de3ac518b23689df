// Times VectorMath's activations, in nanoseconds a value, compiled on their
// own with the runtime's vector files (Tools/vector-math/activation_speed.sh
// builds and runs it). A speed check of the formulas, not of a model: `cnnc
// bench --per-layer` times a model's activation layers among the rest.
import Foundation

typealias Vector = VectorMath.Vector

/// The least time of 30 rounds, each applying `function` 5 times over 98,304
/// floats (ConvNeXtTiny's first gelu at 64x64) spread over [−5, 5].
@inline(__always)
func nanosecondsPerValue(_ function: (Vector) -> Vector) -> Double {
    let count = 98_304
    let values = UnsafeMutablePointer<Float>.allocate(capacity: count)
    defer { values.deallocate() }
    var best = Double.infinity
    for _ in 0..<30 {
        for index in 0..<count { values[index] = Float(index % 1000) / 100 - 5 }
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<5 { VectorMath.apply(function, to: values, count: count) }
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 5 / Double(count))
    }
    return best
}

let timings: [(String, Double)] = [
    ("exp", nanosecondsPerValue(VectorMath.exp)),
    ("tanh", nanosecondsPerValue(VectorMath.tanh)),
    ("sigmoid", nanosecondsPerValue(VectorMath.sigmoid)),
    ("silu", nanosecondsPerValue(VectorMath.silu)),
    ("erfc", nanosecondsPerValue(VectorMath.erfc)),
    ("gelu", nanosecondsPerValue(VectorMath.gelu)),
    ("elu", nanosecondsPerValue(VectorMath.elu)),
    ("softplus", nanosecondsPerValue(VectorMath.softplus)),
    ("mish", nanosecondsPerValue(VectorMath.mish)),
    ("geluDerivative", nanosecondsPerValue(VectorMath.geluDerivative)),
]
for (name, time) in timings { print(name.padding(toLength: 16, withPad: " ", startingAt: 0) + String(format: "%.3f ns/value", time)) }
