import ArgumentParser
import CNNCCore
import CNNCData
import CNNCRuntime
import CNNCTraining
import Foundation

/// The training data of a model of several inputs or outputs: an `.npz`
/// holding one array per input and per output, named after it, as Keras's
/// `fit(x={...}, y={...})` takes dicts. Read and checked here, before the
/// model is compiled, then staged for the executable as `NamedArrays`.
extension TrainingData {
    /// Whether the model trains on arrays named after its inputs and outputs:
    /// always with several of either; with one input and one output when
    /// `--data` is an .npz holding arrays of both names (a segmentation or
    /// regression model, as Keras's `fit(x, y)` takes any arrays), rather than
    /// a classifier's `x_train` and `y_train`.
    static func usesNamedArrays(_ argument: String?, for model: CheckedModel) -> Bool {
        if model.inputs.count > 1 || model.outputs.count > 1 { return true }
        guard let argument, case .npz(let path)? = try? DatasetSource(parsing: argument),
              let names = try? NPZTensors.names(path: path) else { return false }
        return (model.inputLayout.slots + model.outputLayout.slots).allSatisfy { names.contains($0.name) }
    }

    static func prepareNamedArrays(_ argument: String?, for model: CheckedModel) throws -> TrainingData {
        let inputs = model.inputLayout.tensorLayouts, outputs = model.outputLayout.tensorLayouts
        let wanted = (inputs + outputs).map(\.name)
        let list = wanted.map { "'\($0)'" }.joined(separator: ", ")
        guard let argument, case .npz(let path)? = try? DatasetSource(parsing: argument) else {
            throw ValidationError("this model has \(inputs.count) input\(inputs.count == 1 ? "" : "s") and \(outputs.count) output\(outputs.count == 1 ? "" : "s"); it trains on --data npz:FILE, an .npz with one array per input and per output named after it (\(list)), one row per sample")
        }
        let arrays: [(name: String, array: NPYFile)]
        do { arrays = try NPZTensors.read(path: path, wholeNumbers: true) } catch { throw ValidationError(error.message) }
        let missing = wanted.filter { name in !arrays.contains { $0.name == name } }
        guard missing.isEmpty else {
            throw ValidationError("\(path): no array for \(missing.map { "'\($0)'" }.joined(separator: ", ")); it holds \(arrays.map { "'\($0.name)'" }.joined(separator: ", ")), and the model trains on one array per input and per output named after it (\(list))")
        }
        let chosen = wanted.map { name in (name: name, array: arrays.first { $0.name == name }!.array) }
        let samples = try checkShapes(chosen, inputs: inputs, outputs: outputs, path: path)
        let folder: URL
        do { folder = try StagingFolder.make() } catch {
            throw ValidationError("cannot make a temporary folder for the data set: \(error.localizedDescription)")
        }
        let trainPath = folder.appendingPathComponent("train.safetensors").path
        do throws(RuntimeError) {
            try NamedArrays(chosen).write(to: trainPath)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            throw ValidationError("cannot stage the data set in \(folder.path): \(error.message)")
        }
        let ignored = arrays.map(\.name).filter { !wanted.contains($0) }
        let note = ignored.isEmpty ? "" : " (not read: \(ignored.map { "'\($0)'" }.joined(separator: ", ")))"
        return TrainingData(description: "\(path): \(samples.grouped) samples of \(list)\(note)", trainCount: samples, folder: folder, trainPath: trainPath, testPath: nil)
    }

    /// Each array holds its tensor's shape per sample (an output of class
    /// scores may have class labels instead), and all hold the same number
    /// of samples, which this returns.
    private static func checkShapes(_ arrays: [(name: String, array: NPYFile)], inputs: [TensorLayout], outputs: [TensorLayout], path: String) throws -> Int {
        var counts: [(String, Int)] = []
        for (entry, tensor) in zip(arrays, inputs + outputs) {
            let isOutput = counts.count >= inputs.count
            let labels = isOutput && TargetArrays.holdsLabels(entry.array, for: tensor)
            let count = labels ? entry.array.shape[0] : try RuntimeCheck.asValidation { () throws(RuntimeError) in
                try tensor.batchCount(of: entry.array, path: "\(path) (array '\(entry.name)')", role: isOutput ? "output" : "input")
            }
            counts.append((entry.name, count))
        }
        guard let samples = counts.first?.1, counts.allSatisfy({ $0.1 == samples }) else {
            throw ValidationError("\(path): the arrays hold different numbers of samples (\(counts.map { "'\($0.0)' \($0.1)" }.joined(separator: ", "))); each needs one row per sample")
        }
        guard samples > 0 else { throw ValidationError("\(path): the arrays hold no samples; training needs at least one") }
        return samples
    }
}
