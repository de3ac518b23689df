import CNNCCore
import CNNCTraining

extension CheckedModel {
    /// Its ActivityRegularization layers, for the executable to add their
    /// penalty to the losses of validation, testing and `evaluate` as Keras does
    /// (each call of a shared one adds its own).
    var activityPenalties: [ActivityPenalty] {
        layers.compactMap { layer in
            guard case .identityAtInference(.activityRegularization(let l1, let l2)) = layer.operation else { return nil }
            return ActivityPenalty(layer: layer.descriptionName, l1: l1, l2: l2)
        }
    }
}
