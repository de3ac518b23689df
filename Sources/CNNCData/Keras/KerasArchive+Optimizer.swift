import CNNCTraining
import Foundation

extension KerasArchive {
    /// The optimizer a trained model was compiled with and its state: the
    /// `optimizer` of `config.json`'s `compile_config` and the variables of
    /// `model.weights.h5`'s `optimizer/vars`. Nil for a model saved without
    /// either (never compiled, or compiled but never trained).
    public func savedOptimizer() throws(DataError) -> KerasOptimizerContinuation.Saved? {
        guard let compiled = try? JSONDecoder().decode(ConfigFile.self, from: Data(config.utf8)).compileConfig?.optimizer else { return nil }
        let file = try weights()
        guard let vars = try? file.root.group("optimizer/vars"), !vars.datasets.isEmpty else { return nil }
        let ordered = vars.datasets.sorted { (Int($0.name) ?? Int.max) < (Int($1.name) ?? Int.max) }
        guard ordered.map(\.name) == ordered.indices.map(String.init) else {
            throw DataError("\(file.path): optimizer/vars holds \(ordered.map(\.name).joined(separator: ", ")), not variables numbered from 0")
        }
        do throws(HDF5Error) {
            let variables = try ordered.map { dataset throws(HDF5Error) in (shape: dataset.shape, values: try dataset.floats()) }
            return KerasOptimizerContinuation.Saved(className: compiled.className, config: compiled.config, variables: variables)
        } catch {
            throw DataError(error.message)
        }
    }
}

/// The parts of `config.json` that say how the model was compiled.
private struct ConfigFile: Decodable {
    var compileConfig: CompileConfig?

    enum CodingKeys: String, CodingKey { case compileConfig = "compile_config" }

    struct CompileConfig: Decodable {
        var optimizer: Optimizer?
    }

    /// `"adam"`, or `{"class_name": "Adam", "config": {...}}`.
    struct Optimizer: Decodable {
        var className: String
        var config: [String: KerasOptimizerContinuation.ConfigValue]

        enum CodingKeys: String, CodingKey { case className = "class_name", config }

        init(from decoder: any Decoder) throws {
            if let name = try? decoder.singleValueContainer().decode(String.self) {
                className = name
                config = [:]
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            className = try container.decode(String.self, forKey: .className)
            let values = try container.decodeIfPresent([String: Scalar].self, forKey: .config) ?? [:]
            config = values.mapValues(\.value)
        }
    }

    /// A config value: numbers, booleans and null as they are, anything else described.
    struct Scalar: Decodable {
        var value: KerasOptimizerContinuation.ConfigValue

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                value = .null
            } else if let flag = try? container.decode(Bool.self) {
                value = .bool(flag)
            } else if let number = try? container.decode(Double.self) {
                value = .number(number)
            } else if let text = try? container.decode(String.self) {
                value = .other("'\(text)'")
            } else {
                value = .other("a JSON object or list")
            }
        }
    }
}
