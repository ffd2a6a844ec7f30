import Foundation
import JSON
import Redfish
import StepTesting
import Testing

/// The Redfish code reads what real BMCs send: payloads recorded from an HPE iLO 5 (DL325), the
/// DMTF reference mockup and Dell iDRAC fixtures, in Tests/Fixtures/redfish with their sources and licences.
@Suite struct RecordedPayloadTests {
    static let reference = BuiltProducts.packageRoot + "/Tests/Fixtures/redfish"

    func load(_ path: String) throws -> JSONValue {
        try JSONValue(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: Self.reference + "/" + path))))
    }

    func root(_ path: String) throws -> ServiceRoot {
        ServiceRoot(RedfishResource(path: "/redfish/v1", json: try load(path), etag: nil))
    }

    @Test func vendorsAreKnownFromTheirServiceRoots() throws {
        #expect(VendorProfile.detect(try root("hpe-ilo5-dl325/mockups/DL325/index.json")) == .iLO)
        #expect(VendorProfile.detect(try root("dell-idrac/bmclib/internal/redfishwrapper/fixtures/dell/serviceroot.json")) == .iDRAC)
        #expect(VendorProfile.detect(try root("dell-idrac/sushy-oem-idrac/sushy_oem_idrac/tests/unit/json_samples/root.json")) == .iDRAC)
        #expect(VendorProfile.detect(try root("dmtf-public-rackmount1/mockups/public-rackmount1/index.json")) == .unknown)
    }

    @Test func serviceRootLinksAreFollowedNotGuessed() throws {
        let ilo = try root("hpe-ilo5-dl325/mockups/DL325/index.json")
        #expect(ilo.accountServicePath == "/redfish/v1/AccountService")
        #expect(ilo.resource.json["Links"]?["Sessions"]?["@odata.id"]?.stringValue == "/redfish/v1/SessionService/Sessions")
        let dmtf = try root("dmtf-public-rackmount1/mockups/public-rackmount1/index.json")
        #expect(dmtf.updateServicePath == "/redfish/v1/UpdateService")
    }

    @Test func lockoutPolicyIsReadWhereReportedAndIgnoredWhereAbsent() throws {
        func policy(_ json: JSONValue) throws -> LockoutPolicy? {
            LockoutPolicy.fromAccountService(try JSONValueDecoder().decode(AccountLockoutFields.self, from: json))
        }
        let dmtf = try policy(try load("dmtf-public-rackmount1/mockups/public-rackmount1/AccountService/index.json"))
        #expect(dmtf?.threshold == 5)
        #expect(dmtf?.resetAfter == 30)
        #expect(dmtf?.duration == 30)
        #expect(try policy(try load("hpe-ilo5-dl325/mockups/DL325/AccountService/index.json")) == nil)
        // iDRAC reports zeros: no policy from there; the vendor default applies.
        #expect(
            try policy(["AccountLockoutThreshold": 0, "AccountLockoutDuration": 0, "AccountLockoutCounterResetAfter": 0]) == nil)
    }

    @Test func accountCollectionsAndAccountsDecode() throws {
        let collection = RedfishResource(
            path: "", json: try load("hpe-ilo5-dl325/mockups/DL325/AccountService/Accounts/index.json"), etag: nil)
        #expect(collection.members == ["/redfish/v1/AccountService/Accounts/1", "/redfish/v1/AccountService/Accounts/2"])
        let root = try load("hpe-ilo5-dl325/mockups/DL325/AccountService/Accounts/2/index.json")
        #expect(root["UserName"]?.stringValue == "root")
        #expect(root["Password"]?.isNull == true)
        #expect(root["PasswordChangeRequired"]?.boolValue == false)
    }

    @Test func vendorErrorBodiesBecomeOneReadableLine() throws {
        let ilo = try load("hpe-ilo5-dl325/mockups/DL325/SessionService/Sessions00000000625851839871fb46/index.json")
        let text = RedfishMessages.text(ilo)
        #expect(!text.isEmpty && !text.contains("\n"))
        #expect(RedfishMessages.messageIDs(ilo).first?.contains("ResourceMissingAtURI") == true, "\(text)")
        let idrac = try load("dell-idrac/sushy-oem-idrac/sushy_oem_idrac/tests/unit/json_samples/error_running_job.json")
        #expect(
            RedfishMessages.text(idrac)
                == "A job operation is already running. Retry the operation after the existing job is completed. (Wait until the running job is completed or delete the scheduled job and retry the operation)"
        )
    }
}

/// What a task's state means, on the shapes BMCs send, including a hand-edited fixture whose
/// TaskState ("Failed") no version of Redfish defines.
@Suite struct TaskReportTests {
    @Test func onlyCompletedWithOKOrWarningIsASuccess() throws {
        func report(_ state: String, _ status: String?) -> TaskReport {
            TaskReport(state: state, status: status)
        }
        #expect(report("Completed", "OK").succeeded)
        #expect(report("Completed", "Warning").succeeded)
        #expect(report("Completed", nil).succeeded)
        #expect(report("Completed", "Critical").failed)
        for state in ["Exception", "Killed", "Cancelled", "Failed", "Whatever"] { #expect(report(state, "OK").failed, "\(state)") }
        for state in ["New", "Starting", "Running", "Pending", "Stopping", "Cancelling", "Suspended", "Interrupted", "Service"] {
            #expect(report(state, "OK").isRunning && !report(state, "OK").succeeded, "\(state)")
        }
    }

    @Test func recordedTasksAreReadAsTheyMean() throws {
        let base = RecordedPayloadTests.reference + "/dell-idrac/bmclib/internal/redfishwrapper/fixtures/tasks/"
        func load(_ name: String) throws -> TaskReport {
            try TaskReport(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: base + name))), at: name)
        }
        #expect(try load("tasks_1_running.json").isRunning)
        #expect(try load("tasks_1_completed.json").succeeded)
        #expect(try load("tasks_1_failed.json").failed, "TaskState Failed with TaskStatus OK is not a success")
        let idracPath = RecordedPayloadTests.reference + "/dell-idrac/sushy-oem-idrac/sushy_oem_idrac/tests/unit/json_samples/task.json"
        let idrac = try TaskReport(parsing: Array(try Data(contentsOf: URL(fileURLWithPath: idracPath))), at: "task.json")
        #expect((idrac.state, idrac.isRunning) == ("Starting", true), "iDRAC's task as sushy-oem-idrac recorded it")
    }

    @Test func aTaskWithoutItsStateOrWithAMistypedFieldIsNamedNotGuessed() throws {
        #expect(throws: RedfishError.unexpected("the BMC's task at /redfish/v1/TaskService/Tasks/7 cannot be read: TaskState is missing")) {
            try TaskReport(parsing: Array(#"{"Id": "7", "TaskStatus": "OK"}"#.utf8), at: "/redfish/v1/TaskService/Tasks/7")
        }
        #expect(throws: RedfishError.unexpected("the BMC's task at /t cannot be read: PercentComplete is not a number")) {
            try TaskReport(parsing: Array(#"{"TaskState": "Running", "PercentComplete": "40%"}"#.utf8), at: "/t")
        }
        let report = try TaskReport(
            parsing: Array(
                #"{"TaskState": "Exception", "Messages": [{"Message": "Image invalid"}, {"MessageId": "Base.1.8.GeneralError"}, {}]}"#.utf8),
            at: "/t")
        #expect(report == TaskReport(state: "Exception", messages: "Image invalid; Base.1.8.GeneralError"))
    }
}
