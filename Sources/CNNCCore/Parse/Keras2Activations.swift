/// Keras 2 (tf.keras) activations whose name Keras 3 kept for another
/// formula: cnnc computes Keras 3's, so a Keras 2 file naming one is refused
/// rather than read with the wrong function.
enum Keras2Activations {
    /// Name → what Keras 2 computed under it.
    static let otherFormulas: [String: String] = [
        "hard_sigmoid": "Keras 2's hard_sigmoid is clip(0.2·x + 0.5, 0, 1), Keras 3's (which cnnc computes) is relu6(x + 3)/6",
    ]

    static func refuseOtherFormulas(in spec: ModelSpec, log: inout DiagnosticLog) {
        for layer in spec.layers {
            for entry in layer.arguments where entry.key == "activation" {
                guard let name = entry.value.string, let formula = otherFormulas[name] else { continue }
                log.error("activation '\(name)' in a Keras 2 file: \(formula); rebuild the model with Keras 3 or use another activation", at: entry.value.location)
            }
        }
    }
}
