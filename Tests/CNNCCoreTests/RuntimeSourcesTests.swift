@testable import CNNCBuild
import Foundation
import Testing

/// Where cnnc finds the runtime sources it copies into a model package:
/// `CNNC_RUNTIME_PATH`, else an install made by Tools/install.sh (found from
/// the executable, through a symlink too), else its checkout.
@Suite struct RuntimeSourcesTests {
    @Test func anInstalledCNNCUsesItsOwnCopyOfTheRuntime() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cnnc-install-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let bin = root.appendingPathComponent("prefix/bin"), elsewhere = root.appendingPathComponent("elsewhere")
        let installed = root.appendingPathComponent("prefix/share/cnnc/Sources/CNNCRuntime")
        for folder in [bin, elsewhere] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        let executable = bin.appendingPathComponent("cnnc")
        try Data().write(to: executable)
        let link = elsewhere.appendingPathComponent("cnnc")
        try FileManager.default.createSymbolicLink(at: link, withDestinationURL: executable)

        // Not installed yet: the checkout's sources.
        #expect(RuntimeSources.runtimeFolder(environment: nil, executable: executable.path, checkout: "/checkout/Sources/CNNCRuntime")
                == "/checkout/Sources/CNNCRuntime")
        try FileManager.default.createDirectory(at: installed, withIntermediateDirectories: true)
        for path in [executable.path, link.path] {
            #expect(RuntimeSources.runtimeFolder(environment: nil, executable: path, checkout: "/checkout/Sources/CNNCRuntime")
                    == installed.resolvingSymlinksInPath().path)
        }
        // The environment wins.
        #expect(RuntimeSources.runtimeFolder(environment: "/mine/CNNCRuntime", executable: executable.path, checkout: "/checkout") == "/mine/CNNCRuntime")
    }
}
