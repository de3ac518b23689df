import CNNCCore
import CNNCData
import CNNCRuntime
import CNNCTraining
import Foundation

/// The optimizer a `.keras` file was trained with, staged for the model
/// executable, so that `cnnc train m.keras` goes on with it as Keras's `fit`
/// after `load_model` does: its configuration, and its state as a
/// safetensors file in a `StagingFolder` that `remove()` deletes.
struct KerasOptimizerState {
    let configuration: OptimizerConfiguration
    let path: String
    /// The step count the file's optimizer had reached.
    let step: Int
    private let staging: URL

    func remove() { try? FileManager.default.removeItem(at: staging) }

    /// The optimizer of the `.keras` file `spec`, or nil (having said why on
    /// standard output) when it keeps none or one cnnc cannot go on from
    /// exactly; a run then starts a fresh optimizer, as `--optimizer` says.
    static func prepare(spec: String, for model: CheckedModel) -> KerasOptimizerState? {
        guard FileKind.of(spec) == .zip else { return nil }
        let saved: KerasOptimizerContinuation.Saved
        do throws(DataError) {
            guard let found = try KerasArchive(path: spec).savedOptimizer() else { return nil }
            saved = found
        } catch {
            print("cnnc: cannot read the optimizer state in \(spec) (\(error.message)); starting a fresh optimizer")
            return nil
        }
        do {
            let (configuration, state) = try KerasOptimizerContinuation.continuing(saved, trainable: model.trainableWeightTensors,
                                                                                  parameterCount: model.parameterCount)
            let staging = try StagingFolder.make()
            let path = staging.appendingPathComponent("optimizer.safetensors").path
            let (layout, values) = OptimizerStateFile.tensors(of: state)
            do throws(RuntimeError) {
                try SafeTensors.write(parameters: values, layout: layout, metadata: ["format": "cnnc-keras-optimizer-state-1"], to: path)
            } catch {
                try? FileManager.default.removeItem(at: staging)
                throw error
            }
            return KerasOptimizerState(configuration: configuration, path: path, step: Int(state["iterations"]?.first ?? 0), staging: staging)
        } catch let error as RuntimeError {
            print("cnnc: \(spec)'s optimizer cannot be continued: \(error.message); starting a fresh optimizer (--optimizer)")
            return nil
        } catch {
            print("cnnc: cannot stage \(spec)'s optimizer state (\(error)); starting a fresh optimizer (--optimizer)")
            return nil
        }
    }
}
