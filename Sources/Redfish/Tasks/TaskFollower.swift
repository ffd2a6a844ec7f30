import HTTP
import JSON
import StepRuntime

/// Follows a Redfish task to its end, riding out a BMC that reboots while it works: no answer,
/// a 5xx, or a 401 (a rebooted BMC forgets its sessions: the session is renewed through the
/// login history) are waited out until the deadline. A stop (SIGTERM) ends the following.
public struct TaskFollower {
    /// How the following ended.
    public enum Ending: Sendable, Equatable {
        /// Completed with TaskStatus OK or Warning.
        case succeeded(TaskReport)
        /// Exception, Killed, Cancelled, a Critical status...
        case failed(TaskReport)
        /// The task's URI answered 404: the BMC dropped it (some do, after a reboot).
        case gone
        /// The deadline passed with the task still running (or never read).
        case unfinished(last: TaskReport?)
    }

    let active: ActiveSession
    /// Seconds between polls when the BMC gives no Retry-After.
    let pollInterval: Double
    let clock: @Sendable () -> Double
    let sleep: @Sendable (Double) -> Void

    public init(
        active: ActiveSession, pollInterval: Double, clock: @escaping @Sendable () -> Double, sleep: @escaping @Sendable (Double) -> Void
    ) {
        self.active = active
        self.pollInterval = pollInterval
        self.clock = clock
        self.sleep = sleep
    }

    public func follow(_ taskPath: String, deadline: Double) throws -> Ending {
        var last: TaskReport?
        var lastPercent: Int?
        var quiet = false
        var wait = min(pollInterval, 1)
        while clock() + wait <= deadline {
            sleep(wait)
            wait = pollInterval
            let response: HTTPResponse
            do {
                response = try active.client.send(.get, taskPath)
            } catch {
                // A stop is not a rebooting BMC: end here, the step reports what was sent.
                if TerminationSignal.requested { throw error }
                if !quiet { Log.info("the BMC is not answering (\(error.message)); it may be rebooting: waiting") }
                quiet = true
                continue
            }
            if let retryAfter = response.header("Retry-After"), let seconds = Double(retryAfter), seconds > 0 {
                wait = min(seconds, max(pollInterval, 1) * 6)
            }
            switch response.status {
            case 200, 201, 202:
                quiet = false
                // A task monitor may answer 202 with no task in the body while the task runs: not
                // a task to read yet. A body that is a task is read in full.
                guard let json = try? JSONValue(parsing: response.body), json["TaskState"] != nil else { continue }
                let report = try RedfishShape.decode(TaskReport.self, from: json, what: "task", at: taskPath)
                last = report
                if report.percent != lastPercent, let percent = report.percent {
                    Log.info("task \(report.state), \(percent)%")
                    lastPercent = percent
                }
                if report.succeeded { return .succeeded(report) }
                if report.failed { return .failed(report) }
            case 401:
                try active.renew(why: "the BMC ended the session, likely a reboot")
            case 404:
                Log.info("the task is gone (\(taskPath))")
                return .gone
            default:
                if !quiet { Log.info("the BMC answered HTTP \(response.status) while the task runs; it may be rebooting: waiting") }
                quiet = true
            }
        }
        return .unfinished(last: last)
    }
}
