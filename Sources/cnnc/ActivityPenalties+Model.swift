import CNNCCore
import CNNCTraining

extension CheckedModel {
    /// Its ActivityRegularization layers, for the executable to add their
    /// penalty to the losses of validation, testing and `evaluate` as Keras does
    /// (only a shared one's last call, as in Keras 3: `isLastCall`).
    var activityPenalties: [ActivityPenalty] {
        layers.indices.compactMap { index in
            let layer = layers[index]
            guard case .identityAtInference(.activityRegularization(let l1, let l2)) = layer.operation, isLastCall(index) else { return nil }
            return ActivityPenalty(layer: layer.descriptionName, l1: l1, l2: l2)
        }
    }
}
