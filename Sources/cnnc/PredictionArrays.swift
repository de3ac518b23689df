import ArgumentParser
import CNNCCore
import CNNCData
import CNNCRunner
import CNNCRuntime
import Foundation

/// The arrays `cnnc predict` is given and writes, by the model's input and
/// output names. A model of one input reads its `.npy` itself; for several
/// inputs (or an `.npz`) cnnc reads them here, before anything is compiled,
/// and hands the model one packed batch (`SamplePacking`). The model's packed
/// outputs are split the same way, by output name.
enum PredictionArrays {
    /// The `.npy` the model executable reads: the user's own file when it is
    /// the one input as it is, else a packed batch written to `scratch`
    /// (`packed`: true), after warning about NaN or infinite values by the
    /// user's file and input name.
    static func executableInput(_ arguments: [String], layout: SampleLayout, scratch: String) throws -> (path: String, packed: Bool) {
        let names = layout.slots.map(\.name)
        if arguments.count == 1, names.count == 1, !isNPZ(arguments[0]), named(arguments[0], among: names) == nil {
            // NAME=FILE with a name the model does not have reads as a path that is not there: say which name is.
            if let equals = arguments[0].firstIndex(of: "="), !FileManager.default.fileExists(atPath: arguments[0]) {
                throw ValidationError("--input \(arguments[0]): the model has no input '\(arguments[0][..<equals])'; its input is '\(names[0])' (give --input FILE.npy or --input \(names[0])=FILE.npy)")
            }
            return (arguments[0], false)
        }
        let sources = try sources(arguments, names: names)
        if names.count == 1, let source = sources.first {
            // One input named or in an .npz: the array goes as it is, the way a plain .npy does.
            try RuntimeCheck.asValidation { () throws(RuntimeError) in try source.array.write(to: scratch) }
            return (scratch, false)
        }
        let tensors = layout.tensorLayouts
        let packed = try RuntimeCheck.asValidation { () throws(RuntimeError) in
            try SamplePacking.pack(sources.map(\.array), layout: tensors, sources: sources.map(\.place))
        }
        // The shapes are right (packing checked them), so each array holds the batch's samples.
        let samples = packed.shape.first ?? 1
        for (source, name) in zip(sources, names) {
            let lines = NonFiniteWarnings.lines(source.array.values, samples: samples) { "\(source.place) (input '\(name)'): sample \($0)" }
            if !lines.isEmpty { FileHandle.standardError.write(Data(lines.map { $0 + "\n" }.joined().utf8)) }
        }
        try RuntimeCheck.asValidation { () throws(RuntimeError) in try packed.write(to: scratch) }
        return (scratch, true)
    }

    /// One array per input, in the model's order, each with where it came from.
    private static func sources(_ arguments: [String], names: [String]) throws -> [(array: NPYFile, place: String)] {
        let list = names.map { "'\($0)'" }.joined(separator: ", ")
        if arguments.count == 1, isNPZ(arguments[0]) {
            return try fromNPZ(arguments[0], names: names)
        }
        var given: [String: String] = [:]
        for argument in arguments {
            guard let (name, path) = named(argument, among: names) else {
                throw ValidationError("--input \(argument): this model has \(names.count) inputs (\(list)); give each as --input NAME=FILE.npy, or all in one .npz keyed by input name")
            }
            if given[name] != nil { throw ValidationError("--input \(name)= is given twice") }
            given[name] = path
        }
        let missing = names.filter { given[$0] == nil }
        if !missing.isEmpty {
            throw ValidationError("no array for the model's input \(missing.map { "'\($0)'" }.joined(separator: ", ")); give each input as --input NAME=FILE.npy (inputs: \(list))")
        }
        return try names.map { name in
            let path = given[name]!
            return (try RuntimeCheck.asValidation { () throws(RuntimeError) in try NPYFile.read(path: path) }, path)
        }
    }

    /// The arrays of an `.npz` named after the inputs; one array stands for
    /// the one input of a model whatever its name.
    private static func fromNPZ(_ path: String, names: [String]) throws -> [(array: NPYFile, place: String)] {
        let arrays: [(name: String, array: NPYFile)]
        do { arrays = try NPZTensors.read(path: path) } catch { throw ValidationError(error.message) }
        if names.count == 1, arrays.count == 1 { return [(arrays[0].array, "\(path) (array '\(arrays[0].name)')")] }
        let list = names.map { "'\($0)'" }.joined(separator: ", ")
        let found = arrays.map { "'\($0.name)'" }.joined(separator: ", ")
        let extra = arrays.map(\.name).filter { !names.contains($0) }
        let missing = names.filter { name in !arrays.contains { $0.name == name } }
        guard missing.isEmpty, extra.isEmpty else {
            throw ValidationError("\(path): holds the arrays \(found.isEmpty ? "(none)" : found); the model's inputs are \(list), and the .npz needs exactly one array named after each")
        }
        return names.map { name in
            let array = arrays.first { $0.name == name }!.array
            return (array, "\(path) (array '\(name)')")
        }
    }

    /// `NAME=PATH` when NAME is one of the model's inputs.
    static func named(_ argument: String, among names: [String]) -> (String, String)? {
        guard let equals = argument.firstIndex(of: "=") else { return nil }
        let name = String(argument[..<equals])
        return names.contains(name) ? (name, String(argument[argument.index(after: equals)...])) : nil
    }

    static func isNPZ(_ path: String) -> Bool { path.lowercased().hasSuffix(".npz") }

    /// Refuses an `--output` that cannot hold the model's outputs: several
    /// outputs need an `.npz`, which holds one array per output.
    static func checkOutputPath(_ path: String?, layout: SampleLayout) throws {
        guard let path, layout.slots.count > 1, !isNPZ(path) else { return }
        let names = layout.slots.map { "'\($0.name)'" }.joined(separator: ", ")
        throw ValidationError("--output \(path): this model has \(layout.slots.count) outputs (\(names)); write them to an .npz, which holds one array per output name")
    }

    /// The model's packed outputs as the user asked for them: an `.npz` of
    /// one array per output name, or the `.npy` of the one output as it is.
    static func writeOutputs(_ packed: NPYFile, layout: SampleLayout, to path: String) throws {
        let arrays = try split(packed, layout: layout)
        if isNPZ(path) {
            do { try NPZTensors.write(arrays, to: path) } catch { throw ValidationError(error.message) }
        } else {
            try RuntimeCheck.asValidation { () throws(RuntimeError) in try arrays[0].array.write(to: path) }
        }
    }

    /// Each output by name, shape (N, …output's shape). Two outputs of one
    /// name (a nested model's two calls, which Keras names alike) keep it
    /// apart as `name_1`, … after the first, so the .npz holds both.
    static func split(_ packed: NPYFile, layout: SampleLayout) throws -> [(name: String, array: NPYFile)] {
        let tensors = layout.tensorLayouts
        let samples = packed.shape.first ?? 0
        let arrays = try RuntimeCheck.asValidation { () throws(RuntimeError) in
            try SamplePacking.unpack(packed.values, samples: samples, layout: tensors)
        }
        var taken = Set<String>()
        return zip(tensors, arrays).map { tensor, array in
            var name = tensor.name, suffix = 0
            while taken.contains(name) { suffix += 1; name = "\(tensor.name)_\(suffix)" }
            taken.insert(name)
            return (name, array)
        }
    }
}

extension SampleLayout {
    /// The runtime's form of the same slots, as compiled models state them.
    var tensorLayouts: [TensorLayout] {
        slots.map { TensorLayout(name: $0.name, shape: $0.shape.dimensions, offset: $0.offset) }
    }
}
