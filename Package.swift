// swift-tools-version: 6.1
// The step programs of the bare-metal lifecycle WorkflowTemplates, their shared libraries, and the
// simulators the tests and `make demo` run them against.
import PackageDescription

/// A step executable: a thin `main` over the shared libraries.
func step(_ name: String, _ dependencies: [Target.Dependency]) -> Target {
    .executableTarget(
        name: name,
        dependencies: dependencies + ["StepRuntime", .product(name: "ArgumentParser", package: "swift-argument-parser")],
        path: "Sources/Steps/\(name)"
    )
}

let package = Package(
    name: "baremetal-steps",
    products: [
        .executable(name: "nautobot-api", targets: ["nautobot-api"]),
        .executable(name: "get-device-nautobot", targets: ["get-device-nautobot"]),
        .executable(name: "get-obm-ip", targets: ["get-obm-ip"]),
        .executable(name: "get-obm-creds", targets: ["get-obm-creds"]),
        .executable(name: "obm-sync-creds", targets: ["obm-sync-creds"]),
        .executable(name: "obm-firmware-update", targets: ["obm-firmware-update"]),
        .executable(name: "get-devices-nautobot", targets: ["get-devices-nautobot"]),
        .executable(name: "fleet-rollout", targets: ["fleet-rollout"]),
        .executable(name: "get-firmware-inventory", targets: ["get-firmware-inventory"]),
        .executable(name: "firmware-plan", targets: ["firmware-plan"]),
        .executable(name: "simulator", targets: ["simulator"]),
        .executable(name: "steps-runner", targets: ["steps-runner"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        // C interop: libcurl's variadic setopt/getinfo behind typed inline wrappers.
        .systemLibrary(
            name: "CCurl",
            path: "Sources/CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        // C interop: libcrypto's PBKDF2.
        .systemLibrary(
            name: "CCrypto",
            path: "Sources/CCrypto",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        // C interop: zlib's inflate, for Argo's gzip-compressed Workflow status.
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),
        // C interop: libyaml's event parser, for kubeconfig files as kubectl reads them.
        .systemLibrary(
            name: "CYAML",
            path: "Sources/CYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"])]
        ),
        .target(name: "JSON", path: "Sources/JSON"),
        .target(name: "YAML", dependencies: ["CYAML", "JSON"]),
        .target(
            name: "StepRuntime",
            dependencies: [
                .product(name: "ArgumentParser", package: "swift-argument-parser")
            ]),
        .target(name: "HTTP", dependencies: ["CCurl", "CCrypto", "StepRuntime"]),
        .target(name: "Nautobot", dependencies: ["HTTP", "JSON", "StepRuntime"]),
        .target(name: "Kubernetes", dependencies: ["HTTP", "JSON", "YAML", "StepRuntime"]),
        .target(name: "Redfish", dependencies: ["HTTP", "JSON", "StepRuntime"]),
        .target(name: "BMCCoordination", dependencies: ["Kubernetes", "Redfish", "JSON", "StepRuntime"]),
        .target(name: "PasswordSync", dependencies: ["Redfish", "HTTP", "JSON", "StepRuntime"]),
        .target(name: "Firmware", dependencies: ["Redfish", "Nautobot", "HTTP", "JSON", "StepRuntime"]),
        .target(name: "Credentials", dependencies: ["CCrypto", "Kubernetes", "Nautobot", "JSON", "StepRuntime"]),
        .target(name: "FleetRollout", dependencies: ["CZlib", "JSON", "Kubernetes", "StepRuntime"]),
        .target(name: "FirmwareCompliance", dependencies: ["Firmware", "FleetRollout", "JSON", "StepRuntime"]),

        step("nautobot-api", ["Nautobot", "JSON"]),
        step("get-device-nautobot", ["Nautobot", "JSON"]),
        step("get-obm-ip", ["Nautobot"]),
        step("get-obm-creds", ["Credentials", "Kubernetes", "Nautobot"]),
        step("obm-sync-creds", ["PasswordSync", "BMCCoordination", "Redfish", "JSON"]),
        step("obm-firmware-update", ["Firmware", "BMCCoordination", "Redfish", "HTTP"]),
        step("get-firmware-inventory", ["Firmware", "BMCCoordination", "Redfish"]),
        step("firmware-plan", ["Firmware", "BMCCoordination", "Nautobot", "Redfish"]),
        step("get-devices-nautobot", ["Nautobot", "JSON"]),
        step("fleet-rollout", ["FleetRollout", "FirmwareCompliance"]),

        // Simulators: real servers on loopback, over TLS with their own CA, for tests and the demo.
        .target(
            name: "SimulatorSupport",
            dependencies: [
                "JSON",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ], path: "Sources/Simulators/SimulatorSupport"),
        .target(
            name: "NautobotSimulator",
            dependencies: [
                "SimulatorSupport", "JSON",
                .product(name: "Hummingbird", package: "hummingbird"),
            ], path: "Sources/Simulators/NautobotSimulator"),
        .target(
            name: "KubernetesSimulator",
            dependencies: ["SimulatorSupport", "JSON"],
            path: "Sources/Simulators/KubernetesSimulator"),
        .target(
            name: "BMCSimulator",
            dependencies: ["SimulatorSupport", "JSON"],
            path: "Sources/Simulators/BMCSimulator"),
        .executableTarget(
            name: "simulator",
            dependencies: [
                "NautobotSimulator", "KubernetesSimulator", "BMCSimulator", "SimulatorSupport", "JSON",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ], path: "Sources/Simulators/simulator"),

        // The local runner: WorkflowTemplates on one machine, without a cluster.
        .target(
            name: "WorkflowRunner",
            dependencies: ["JSON", "Kubernetes", "StepRuntime", .product(name: "Yams", package: "Yams")],
            path: "Sources/WorkflowRunner"),
        .executableTarget(
            name: "steps-runner",
            dependencies: ["WorkflowRunner", "Kubernetes", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/Tools/steps-runner"),

        // What the tests share: launching binaries and simulators, capturing their output.
        .target(name: "StepTesting", dependencies: ["JSON"], path: "Tests/StepTesting"),

        .testTarget(name: "JSONTests", dependencies: ["JSON"]),
        .testTarget(name: "YAMLTests", dependencies: ["YAML", "JSON", "StepTesting"]),
        .testTarget(name: "StepRuntimeTests", dependencies: ["StepRuntime", "StepTesting"]),
        .testTarget(
            name: "HTTPTests",
            dependencies: [
                "HTTP", "StepRuntime", "StepTesting",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]),
        .testTarget(name: "NautobotTests", dependencies: ["Nautobot", "JSON", "StepTesting"]),
        .testTarget(name: "NautobotStepsTests", dependencies: ["JSON", "StepTesting"]),
        .testTarget(
            name: "KubernetesTests",
            dependencies: ["Kubernetes", "BMCCoordination", "Credentials", "HTTP", "JSON", "StepRuntime", "StepTesting"]),
        .testTarget(name: "CredentialsStepsTests", dependencies: ["JSON", "StepTesting"]),
        .testTarget(name: "SyncStepsTests", dependencies: ["JSON", "StepTesting"]),
        .testTarget(name: "FirmwareStepsTests", dependencies: ["StepTesting"]),
        .testTarget(name: "FirmwareTests", dependencies: ["Firmware", "Nautobot", "Redfish"]),
        .testTarget(name: "RunnerTests", dependencies: ["JSON", "StepTesting", "WorkflowRunner"]),
        .testTarget(
            name: "FleetRolloutTests", dependencies: ["FleetRollout", "FirmwareCompliance", "JSON", "StepRuntime", "StepTesting", "YAML"]),
        .testTarget(name: "RedfishTests", dependencies: ["Redfish", "JSON", "StepTesting"]),
    ],
    swiftLanguageModes: [.v6]
)
