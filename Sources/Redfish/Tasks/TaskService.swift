/// The BMC's TaskService, reached only through the service root's link.
public enum TaskService {
    /// A task still running, if any, among the most recent 32: a second update now would be
    /// refused or would queue behind it. A BMC that links no TaskService has none to ask.
    public static func runningTask(_ root: ServiceRoot, _ client: RedfishClient) -> (path: String, state: String)? {
        guard let service = root.resource.link("TaskService"), let tasks = try? client.get(service).link("Tasks"),
            let collection = try? client.get(tasks)
        else { return nil }
        for member in collection.members.suffix(32) {
            // A task that cannot be read (gone meanwhile, no TaskState) is not one seen running.
            guard let task = try? client.get(member), let report = try? RedfishShape.decode(TaskReport.self, from: task, what: "task")
            else { continue }
            if report.isRunning { return (member, report.state) }
        }
        return nil
    }
}
