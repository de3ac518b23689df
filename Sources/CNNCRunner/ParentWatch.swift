import Foundation

/// Ends a model executable when the cnnc that started it has ended, however
/// it ended (`kill -9` included): a trainer left behind would keep rewriting
/// the user's `--save` file with nobody watching. cnnc names itself in
/// `CNNC_PARENT_PID`; a thread checks every quarter second that this process
/// still has that parent, which it loses the moment the parent dies (it is
/// re-parented to init or a subreaper). Portable where `PR_SET_PDEATHSIG` is
/// not, and it needs nothing from the parent but the variable. Without the
/// variable (a user running the executable themselves) nothing is watched.
public enum ParentWatch {
    public static let variable = "CNNC_PARENT_PID"

    static func start(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard let text = environment[variable], let parent = Int32(text), parent > 0 else { return }
        if getppid() != parent { stop(parent) }
        let thread = Thread {
            while true {
                Thread.sleep(forTimeInterval: 0.25)
                if getppid() != parent { stop(parent) }
            }
        }
        thread.name = "cnnc parent watch"
        thread.start()
    }

    private static func stop(_ parent: Int32) -> Never {
        FileHandle.standardError.write(Data("error: cnnc (process \(parent)) has ended, so this model executable stops too\n".utf8))
        exit(1)
    }
}
