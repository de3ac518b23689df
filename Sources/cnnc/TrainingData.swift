import ArgumentParser
import CNNCCore
import CNNCData
import CNNCRuntime
import CNNCTraining
import Foundation

/// The user's data set, read once by cnnc (IDX, .npz, or drawn) and handed to
/// the model's executable as data set files in a `StagingFolder`, which is
/// removed when the command ends.
struct TrainingData {
    /// What was read, for the line cnnc prints before training.
    let description: String
    /// Samples in the training part: no batch need be larger.
    let trainCount: Int
    let folder: URL
    let trainPath: String
    let testPath: String?

    /// Loads `argument` (nil: the built-in digits) and writes the files; errors are printed and exit 1.
    /// The data gets as many classes as `model` has (labels 0–8 train a
    /// 10-class model, as in Keras, which asks only that labels be below the
    /// number of outputs).
    static func prepare(_ argument: String?, for model: CheckedModel) throws -> TrainingData {
        var dataset: Dataset
        do throws(DataError) {
            let source = try argument.map { text throws(DataError) in try DatasetSource(parsing: text) } ?? .default
            dataset = try source.load()
            // Checked here, before the build, as the model's executable checks them again.
            do throws(RuntimeError) { try ClassTargets.checkScoresClasses(outputShape: model.outputShape.dimensions) } catch {
                let names = (model.inputLayout.slots + model.outputLayout.slots).map { "'\($0.name)'" }.joined(separator: " and ")
                throw DataError("\(error.message); or train it on targets of its output's shape: --data npz:FILE with arrays named \(names)")
            }
            for images in [dataset.train, dataset.test].compactMap({ $0 }) {
                guard let input = model.inputs.first else { break }
                do throws(RuntimeError) { try images.checkFits(inputShape: input.shape.dimensions) } catch {
                    throw DataError("\(dataset.name): \(error.message)")
                }
            }
            if let warning = PixelScaleWarnings.scaledTwice(dataset.train, model: model) {
                FileHandle.standardError.write(Data((warning + "\n").utf8))
            }
            if let classes = model.classCount {
                // A label the model has no output for, found here where the data's file and part can be named.
                for (part, images) in [("training", dataset.train), ("test", dataset.test)] {
                    guard let images, let index = images.labels.firstIndex(where: { Int($0) >= classes }) else { continue }
                    throw DataError("\(dataset.name): label \(images.labels[index]) of \(part) sample \(index) is not a class of this model, which scores \(classes) class\(classes == 1 ? "" : "es"); labels must be 0 to \(classes - 1)")
                }
                dataset = dataset.widened(toClasses: classes)
            }
        } catch {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            throw ExitCode.failure
        }
        let folder: URL
        do {
            folder = try StagingFolder.make()
        } catch {
            FileHandle.standardError.write(Data("error: cannot make a temporary folder for the data set: \(error.localizedDescription)\n".utf8))
            throw ExitCode.failure
        }
        do {
            let trainPath = folder.appendingPathComponent("train.safetensors").path
            try dataset.train.write(to: trainPath, classNames: dataset.classNames)
            var testPath: String?
            if let test = dataset.test {
                testPath = folder.appendingPathComponent("test.safetensors").path
                try test.write(to: testPath!, classNames: dataset.classNames)
            }
            return TrainingData(description: describe(dataset), trainCount: dataset.train.count, folder: folder, trainPath: trainPath, testPath: testPath)
        } catch {
            try? FileManager.default.removeItem(at: folder)
            FileHandle.standardError.write(Data("error: cannot stage the data set in \(folder.path): \(error)\n".utf8))
            throw ExitCode.failure
        }
    }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// "MNIST: 60,000 training and 10,000 test images, 28x28x1, 10 classes".
    static func describe(_ dataset: Dataset) -> String {
        let train = dataset.train
        var text = "\(dataset.name): \(train.count.grouped) training"
        if let test = dataset.test { text += " and \(test.count.grouped) test" }
        return text + " images, \(train.height)x\(train.width)x\(train.channels), \(train.classCount) classes"
    }
}

extension CheckedModel {
    /// The classes a classifier's output scores: K for a vector of K > 1
    /// outputs, 2 for one sigmoid-style output; nil for other outputs.
    var classCount: Int? {
        let dimensions = outputShape.dimensions
        guard dimensions.count == 1 else { return nil }
        return dimensions[0] == 1 ? 2 : dimensions[0]
    }
}
