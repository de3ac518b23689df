/// The runtime's API version, checked at compile time by every generated file
/// (the way swift-protobuf's `ProtobufAPIVersionCheck` works): a generated
/// file declares a type conforming to the version protocol it was written
/// for, so code generated for another runtime fails to build with an error
/// naming the version protocol it needs (today `CNNCRuntimeAPIVersion8`) instead of failing in obscure ways.
public protocol CNNCRuntimeAPIVersionCheck {
    associatedtype Version
}

/// Version 3 of the runtime API: `CompiledModel` (with `layers` and
/// `predict(_:into:arena:observingLayers:)`), `TrainableModel` trained in
/// phases (`trainingPhase`, for BatchNormalization's batch statistics),
/// `LayerDescription`, `TensorLayout`, `ModelArena`, `WeightPacking`,
/// `SafeTensors`, `NPYFile`.
public protocol CNNCRuntimeAPIVersion3 {}

/// Version 4: version 3, with the tables of a generated model written as
/// JSON text (`LayerDescription.table`, `TensorLayout.table`).
public protocol CNNCRuntimeAPIVersion4: CNNCRuntimeAPIVersion3 {}

/// Version 5: version 4, with `TrainableModel.trainingPhase` taking a
/// `ModelLoss` (a loss function per output) and `outputActivations`, so that
/// models of several inputs and outputs train.
public protocol CNNCRuntimeAPIVersion5: CNNCRuntimeAPIVersion4 {}

/// Version 6: version 5, with a model's packed weights held in
/// `PackedWeights` (on a cache line, as `ModelArena` now is).
public protocol CNNCRuntimeAPIVersion6: CNNCRuntimeAPIVersion5 {}

/// Version 7: version 6 with `WeightPacking.turnedChunkLanes` (the turned
/// chunks of `avx512-zen5`), and without `Resampling`: bilinear UpSampling2D's
/// weights are constants of the generated code.
public protocol CNNCRuntimeAPIVersion7: CNNCRuntimeAPIVersion6 {}

/// Version 8: version 7 with `VectorMath.exponential`, e^x over float32's
/// whole range, which the `exponential` activation calls instead of `exp`.
public protocol CNNCRuntimeAPIVersion8: CNNCRuntimeAPIVersion7 {}
