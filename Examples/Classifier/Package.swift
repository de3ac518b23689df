// swift-tools-version: 6.1
// An app that uses cnnc the way any package would: a spec file in its target,
// the build plugin turning it into Swift, and the runtime to load weights.
import PackageDescription

let package = Package(
    name: "Classifier",
    dependencies: [
        // In your own package: .package(url: "<cnnc's repository URL>", from: "0.2.0")
        .package(name: "cnnc", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "Classifier",
            dependencies: [.product(name: "CNNCRuntime", package: "cnnc")],
            // Generated kernels need an optimized build for this CPU (see cnnc's README).
            swiftSettings: [.unsafeFlags(["-O", "-target-cpu", "native"]), .define("CNNC_FMA")],
            plugins: [.plugin(name: "CNNCPlugin", package: "cnnc")]
        ),
    ]
)
