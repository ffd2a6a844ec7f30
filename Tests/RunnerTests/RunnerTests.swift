import Foundation
import JSON
import StepTesting
import Testing

/// Every WorkflowTemplate through steps-runner against the simulators, failures included, and
/// the lint on the shipped templates and on broken ones.
@Suite(.stopsSimulators) struct RunnerTests {
    static let policy = ["lockout-policy": "threshold=3,reset-after=3s,duration=30s"]

    @Test func theShippedTemplatesLint() throws {
        let result = try runProcess(
            BuiltProducts.path("steps-runner"), ["lint", "--templates", BuiltProducts.packageRoot + "/workflowtemplates"], environment: [:])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "steps-runner lint: 13 WorkflowTemplates, 0 problem(s)\n")
    }

    @Test func theNautobotTemplatesRun() throws {
        let world = try RunnerWorld.start(bmcArguments: [], accounts: ["root:Record-Passw0rd-2026"], settings: [:], legacy: [])
        let ip = try world.run("get-obm-ip", ["hostname": "host1.domain.local"])
        #expect(ip.status == 0, "\(ip.stdout)\(ip.stderr)")
        #expect(ip.stdout.contains("Status:              Succeeded"))
        #expect(ip.stdout.contains("ip:                10.0.0.11"))
        let device = try world.run("get-device-nautobot", ["hostname": "a b&c"])
        #expect(device.status == 0 && device.stdout.contains("\"name\":\"a b&c\""), "\(device.stdout)")
        let api = try world.run("nautobot-api", ["uri": "/dcim/devices/?name=host2.domain.local"])
        #expect(api.status == 0 && api.stdout.contains("\"count\":1"), "\(api.stdout)")
        let creds = try world.run("get-obm-creds", ["hostname": "host1.domain.local"])
        #expect(creds.status == 0 && creds.stdout.contains("secret:            obm-creds"), "\(creds.stdout)")
    }

    @Test func aHostWithoutBMCInterfaceShowsWhichStepFailedAndWhy() throws {
        let world = try RunnerWorld.start(bmcArguments: [], accounts: ["root:x-passw0rd"], settings: Self.policy, legacy: [])
        let run = try world.run("obm-sync-creds", ["hostname": "host3.domain.local"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("Status:              Failed"))
        #expect(run.stdout.contains("✖ get-obm-ip"), "\(run.stdout)")
        #expect(run.stdout.contains("has no interface named iDRAC or iLO"), "\(run.stdout)")
        #expect(run.stdout.contains("○ sync"), "the sync step is omitted: \(run.stdout)")
    }

    @Test func theFullSyncWorkflowBringsAFactoryBMCInLine() throws {
        let world = try RunnerWorld.start(
            bmcArguments: [], accounts: ["root:calvin:change"], settings: Self.policy.merging(["creds-source": "secret"]) { $1 },
            legacy: ["old-one", "calvin"])
        let run = try world.run("obm-sync-creds", ["hostname": "demo.domain.local"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("status:            synced"))
        #expect(try world.bmc.accepts(user: "root", password: "Record-Passw0rd-2026"))
        #expect(try world.bmc.state().lockouts == 0)
        #expect(!run.stdout.contains("Record-Passw0rd-2026") && !run.stderr.contains("Record-Passw0rd-2026"))
    }

    @Test func aBMCThatRefusesEveryPasswordFailsTheWorkflowWithoutRetrying() throws {
        let world = try RunnerWorld.start(
            bmcArguments: [], accounts: ["root:nothing-we-know"], settings: Self.policy, legacy: ["aa-1", "bb-2"])
        let run = try world.run("obm-sync-creds", ["hostname": "demo.domain.local"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("✖ sync"))
        #expect(run.stdout.contains("none of the 3 passwords tried"), "\(run.stdout)")
        #expect(!run.stdout.contains("attempts)"), "exit 1 is never retried")
        #expect(try world.bmc.state().lockouts == 0)
    }

    @Test func theInventoryTemplateReadsTheDevicesBMC() throws {
        let world = try RunnerWorld.start(bmcArguments: [], accounts: ["root:Record-Passw0rd-2026"], settings: [:], legacy: [])
        let run = try world.run("get-firmware-inventory", ["hostname": "demo.domain.local"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("✔ read"), "\(run.stdout)")
        #expect(
            run.stdout.contains(#"inventory:         {"components":[{"id":"Installed-25227-7.00.60.00","#), "\(run.stdout)")
        #expect(try world.bmc.state().sessions == 0)
    }

    /// The plan template: the inventory read through get-firmware-inventory, planned against the
    /// simulated Nautobot's baseline; require-compliant fails the run on an outdated device.
    @Test func thePlanTemplatePlansTheInventoryItRead() throws {
        let world = try RunnerWorld.start(bmcArguments: [], accounts: ["root:Record-Passw0rd-2026"], settings: [:], legacy: [])
        let run = try world.run("firmware-plan", ["hostname": "demo.domain.local"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("✔ plan"), "\(run.stdout)")
        #expect(run.stdout.contains(#"plan:              {"hostname":"demo.domain.local","verdict":"outdated","#), "\(run.stdout)")
        let strict = try world.run("firmware-plan", ["hostname": "demo.domain.local", "require-compliant": "true"])
        #expect(strict.status == 1)
        #expect(strict.stdout.contains("demo.domain.local is not compliant: outdated (--require-compliant)"), "\(strict.stdout)")
        #expect(try world.bmc.state().sessions == 0 && world.bmc.firmwareVersion() == "7.00.60.00")
        let recorded = try world.run("firmware-plan", ["hostname": "demo.domain.local", "record": "true"])
        #expect(recorded.status == 0, "\(recorded.stdout)\(recorded.stderr)")
        let items = try runProcess(
            "/usr/bin/curl",
            [
                "-sS", "--cacert", world.nautobot.caFile ?? "", "-H", "Authorization: Token \(world.nautobot.token)",
                world.nautobot.url + "/api/dcim/inventory-items/?device=demo.domain.local",
            ], environment: [:])
        #expect(try JSONValue(parsing: items.stdout)["count"] == 5, "one item per installed component: \(items.stdout)")
    }

    @Test func aFirmwareTaskEndingInExceptionFailsTheWorkflow() throws {
        let files = try SimulatedFiles.start()
        let image = try files.image("fw.bin", bytes: 200_000)
        let world = try RunnerWorld.start(
            bmcArguments: ["--update-outcome", "exception"], accounts: ["root:Record-Passw0rd-2026"], settings: [:], legacy: [])
        let run = try world.run("obm-firmware-update", ["hostname": "demo.domain.local", "firmware-url": image.url])
        #expect(run.status == 1)
        #expect(run.stdout.contains("✖ update"))
        #expect(run.stdout.contains("ended Exception"), "\(run.stdout)")
        let ok = try RunnerWorld.start(bmcArguments: [], accounts: ["root:Record-Passw0rd-2026"], settings: [:], legacy: [])
        let success = try ok.run("obm-firmware-update", ["hostname": "demo.domain.local", "firmware-url": image.url])
        #expect(success.status == 0, "\(success.stdout)\(success.stderr)")
        #expect(success.stdout.contains("status:            Completed"))
        #expect(try ok.bmc.firmwareVersion() == "7.10.30.00")
    }

    /// A cluster where the run cannot be published as a Workflow (no Argo CRDs, or RBAC without
    /// workflows) still runs ordinary templates: one warning, no failure.
    @Test func aClusterThatRefusesWorkflowsStillRunsTheTemplates() throws {
        let world = try RunnerWorld.start(
            bmcArguments: [], accounts: ["root:Record-Passw0rd-2026"], settings: [:], legacy: [],
            deny: ["update:workflows", "create:workflows"])
        let run = try world.run("get-obm-ip", ["hostname": "host1.domain.local"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("not publishing the run as a Workflow any more"), "\(run.stderr)")
        #expect(run.stderr.components(separatedBy: "not publishing").count == 2, "said once")
    }

    /// A kubeconfig that is there but cannot be used stops the run, saying why: a run that went
    /// on would quietly publish nothing and fail later, far from the cause. None at all is fine.
    @Test func aBrokenKubeconfigStopsTheRunAndSaysWhy() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("kubeconfig-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try "apiVersion: v1\nkind: Config\nclusters: []\n".write(toFile: folder + "/config", atomically: true, encoding: .utf8)
        let templates = BuiltProducts.packageRoot + "/workflowtemplates"
        let broken = try runProcess(
            BuiltProducts.path("steps-runner"),
            ["run", "get-obm-ip", "--templates", templates, "--bin", BuiltProducts.directory, "-p", "hostname=host1.domain.local"],
            environment: ["KUBECONFIG": folder + "/config", "PATH": "/usr/bin:/bin", "HOME": folder])
        #expect(broken.status == 1)
        #expect(broken.stderr.contains("the Kubernetes configuration cannot be used: "), "\(broken.stderr)")
        #expect(!broken.stderr.contains("running get-obm-ip"), "nothing ran: \(broken.stderr)")
    }

    @Test func lintCatchesWhatTheSchemaCannot() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("templates-\(UUID())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try """
        apiVersion: argoproj.io/v1alpha1
        kind: WorkflowTemplate
        metadata:
          name: broken
        spec:
          entrypoint: missing
          arguments:
            parameters:
              - name: hostname
          templates:
            - name: main
              dag:
                tasks:
                  - name: a
                    template: leaf
                    dependencies: [b]
                    arguments:
                      parameters:
                        - name: x
                          value: "{{workflow.parameters.nope}}"
                  - name: b
                    template: leaf
                    dependencies: [a]
                    arguments:
                      parameters:
                        - name: x
                          value: "{{tasks.a.outputs.parameters.missing}}"
                  - name: c
                    templateRef:
                      name: no-such-template
                      template: main
                  - name: d
                    template: leaf
                    arguments:
                      parameters:
                        - name: x
                          value: "{{item}}"
            - name: leaf
              inputs:
                parameters:
                  - name: x
              container:
                image: baremetal-steps/get-obm-ip
                args: ["--hostname", "{{inputs.parameters.y}}"]
        """.write(toFile: folder + "/broken.yaml", atomically: true, encoding: .utf8)
        let result = try runProcess(BuiltProducts.path("steps-runner"), ["lint", "--templates", folder], environment: [:])
        #expect(result.status == 1)
        for text in [
            "entrypoint missing is not a template", "{{workflow.parameters.nope}} is not a parameter of broken", "the DAG has a cycle",
            "a produces no output missing", "refers to no-such-template/main, which does not exist",
            "{{inputs.parameters.y}} is not an input", "d uses {{item}} without withParam",
        ] {
            #expect(result.stderr.contains(text), "\(text) in \(result.stderr)")
        }
        try
            "apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata:\n  name: x\nspec:\n  entrypoint: main\n  templates:\n    - name: main\n      script:\n        image: x\n"
            .write(toFile: folder + "/broken.yaml", atomically: true, encoding: .utf8)
        let unsupported = try runProcess(BuiltProducts.path("steps-runner"), ["lint", "--templates", folder], environment: [:])
        #expect(unsupported.status == 1)
        #expect(unsupported.stderr.contains("spec.templates[0].script: is not supported by the local runner"), "\(unsupported.stderr)")
    }
}
