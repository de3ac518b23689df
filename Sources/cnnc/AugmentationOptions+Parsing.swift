import CNNCRuntime
import CNNCTraining
import Foundation

extension AugmentationOptions {
    /// `cnnc train --augment`: Keras's `ImageDataGenerator` arguments, comma-separated,
    /// e.g. `rotation_range=10,width_shift_range=0.1,zoom_range=0.1,horizontal_flip=true,fill_mode=constant,cval=0`.
    /// A bare flag name (`horizontal_flip`) means true; `zoom_range` takes one
    /// number z (the range [1 − z, 1 + z]) or two, `0.9:1.2`.
    init(parsing text: String) throws(RuntimeError) {
        self.init()
        var fillModeName = "nearest", cval = 0.0
        for item in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !item.isEmpty {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            let name = parts[0], value = parts.count == 2 ? parts[1] : "true"
            func number() throws(RuntimeError) -> Double {
                guard let number = Double(value), number.isFinite else {
                    throw RuntimeError("--augment \(name) takes a number, not '\(value)'")
                }
                return number
            }
            func flag() throws(RuntimeError) -> Bool {
                switch value {
                case "true", "1", "yes": return true
                case "false", "0", "no": return false
                default: throw RuntimeError("--augment \(name) is true or false, not '\(value)'")
                }
            }
            switch name {
            case "rotation_range": rotationRange = try number()
            case "width_shift_range": widthShiftRange = try number()
            case "height_shift_range": heightShiftRange = try number()
            case "shear_range": shearRange = try number()
            case "zoom_range":
                let bounds = value.split(separator: ":", omittingEmptySubsequences: false).map { Double($0) }
                if bounds.count == 2 {
                    guard let lower = bounds[0], let upper = bounds[1], lower.isFinite, upper.isFinite, lower > 0, lower <= upper else {
                        throw RuntimeError("--augment zoom_range=\(value): lower:upper needs two positive numbers with the lower first, such as 0.9:1.2")
                    }
                    zoomRange = lower...upper
                } else {
                    let z = try number()
                    guard z >= 0, z < 1 else { throw RuntimeError("--augment zoom_range takes z in [0, 1) or lower:upper, not '\(value)'") }
                    zoomRange = Self.zoomRange(z)
                }
            case "horizontal_flip": horizontalFlip = try flag()
            case "vertical_flip": verticalFlip = try flag()
            case "fill_mode": fillModeName = value
            case "cval": cval = try number()
            default:
                throw RuntimeError("--augment does not know '\(name)'; it takes \(Self.argumentNames.joined(separator: ", "))")
            }
        }
        fillMode = try FillMode(keras: fillModeName, cval: cval)
    }

    static let argumentNames = ["rotation_range", "width_shift_range", "height_shift_range", "shear_range", "zoom_range",
                                       "horizontal_flip", "vertical_flip", "fill_mode", "cval"]
}
