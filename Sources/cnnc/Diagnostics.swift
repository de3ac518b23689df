import ArgumentParser
import CNNCCore
import Foundation
import Rainbow

/// Prints diagnostics on standard error as compilers do, in color on a terminal.
enum Diagnostics {
    static func print(_ diagnostics: [Diagnostic]) {
        let colored = isatty(STDERR_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
        var text = ""
        for diagnostic in diagnostics {
            let label = "\(diagnostic.severity.rawValue):"
            let paintedLabel: String
            switch diagnostic.severity {
            case .error: paintedLabel = colored ? label.red.bold : label
            case .warning: paintedLabel = colored ? label.magenta.bold : label
            case .note: paintedLabel = colored ? label.cyan.bold : label
            }
            let place = colored ? "\(diagnostic.location):".bold : "\(diagnostic.location):"
            text += "\(place) \(paintedLabel) \(diagnostic.message)\n"
        }
        FileHandle.standardError.write(Data(text.utf8))
    }

    /// The same for a command that compiles the model: a model too large for
    /// this machine's memory gets its located error before a build starts.
    static func loadCompilableOrExit(_ path: String) throws -> CheckedModel {
        try loadOrExit(path, unless: \.memoryGapHere)
    }

    /// The same for `cnnc train`: a model it cannot train yet gets its located error.
    static func loadTrainableOrExit(_ path: String) throws -> CheckedModel {
        try loadOrExit(path) { $0.trainingGap ?? $0.memoryGapHere }
    }

    /// The same for `cnnc evaluate`, which runs every checked model that fits in memory.
    static func loadEvaluableOrExit(_ path: String) throws -> CheckedModel {
        try loadOrExit(path) { $0.memoryGapHere }
    }

    private static func loadOrExit(_ path: String, unless gap: (CheckedModel) -> Diagnostic?) throws -> CheckedModel {
        let model = try loadOrExit(path)
        if let gap = gap(model) {
            print([gap])
            throw ExitCode.failure
        }
        return model
    }

    static func loadOrExit(_ path: String) throws -> CheckedModel {
        switch SpecFile.load(path) {
        case .success(let model):
            print(model.notes)
            return model
        case .failure(let error):
            print(error.diagnostics)
            throw ExitCode.failure
        }
    }
}

/// The width of the terminal standard output goes to, as Python's
/// `shutil.get_terminal_size` finds it: `COLUMNS`, then the terminal, then 80.
enum Terminal {
    static func columns() -> Int {
        if let text = ProcessInfo.processInfo.environment["COLUMNS"], let columns = Int(text), columns > 0 {
            return columns
        }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return Int(size.ws_col)
        }
        return 80
    }
}

private extension CheckedModel {
    /// Whether this machine can hold the compiled model (`memoryGap`).
    var memoryGapHere: Diagnostic? { memoryGap(physicalMemory: ProcessInfo.processInfo.physicalMemory) }
}
