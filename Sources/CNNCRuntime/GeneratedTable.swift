import Foundation

/// The tables of a generated model (`layers`, `weightLayout`) as JSON text,
/// one row a line, decoded once at first use. As array literals of structs
/// they cost the Swift compiler a fifth of its time and memory for a deep
/// model (400 layers: 40 s and 0.5 GB); a string literal costs nothing.
enum GeneratedTable {
    static func decode<Row: Decodable>(_ json: String, as row: Row.Type) -> [Row] {
        do {
            return try JSONDecoder().decode([Row].self, from: Data(json.utf8))
        } catch {
            // The text comes from cnnc, not from a user: a failure means the
            // generated file was edited by hand.
            preconditionFailure("a table in the generated model's Swift does not decode (\(error)); generate the file again with cnnc generate")
        }
    }
}

extension LayerDescription {
    /// The layers of a generated model, from its JSON table.
    public static func table(_ json: String) -> [LayerDescription] { GeneratedTable.decode(json, as: LayerDescription.self) }
}

extension TensorLayout {
    /// The weight tensors (or inputs and outputs) of a generated model, from its JSON table.
    public static func table(_ json: String) -> [TensorLayout] { GeneratedTable.decode(json, as: TensorLayout.self) }
}
