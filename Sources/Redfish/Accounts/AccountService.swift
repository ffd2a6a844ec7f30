import HTTP
import JSON
import StepRuntime

/// The BMC's AccountService: its failed-login policy and its accounts, reached by links only.
public struct AccountService {
    let client: RedfishClient
    public let path: String

    public init(client: RedfishClient, root: ServiceRoot) throws(RedfishError) {
        guard let path = root.accountServicePath else { throw .unexpected("the BMC's service root links no AccountService") }
        self.client = client
        self.path = path
    }

    /// The policy the service reports, when it can be read (some BMCs show it without a login)
    /// and is not zeros. A field of the wrong type is said in a warning naming it, and the policy
    /// then counts as unknown: the configured or vendor policy applies, as with none reported.
    public func lockoutPolicy() -> LockoutPolicy? {
        guard let resource = try? client.get(path) else { return nil }
        do {
            return LockoutPolicy.fromAccountService(
                try RedfishShape.decode(AccountLockoutFields.self, from: resource, what: "AccountService"))
        } catch {
            Log.warning("\(error.message); its lockout policy is not used")
            return nil
        }
    }

    /// The account whose UserName is `user`, following the Accounts collection's members.
    /// iDRAC lists 16 slots, unused ones with UserName "": those never match.
    public func account(named user: String) throws(RedfishError) -> RedfishResource? {
        let service = try client.get(path)
        guard let accounts = service.link("Accounts") else { throw .unexpected("the BMC's AccountService links no Accounts") }
        for member in try client.get(accounts).members {
            let account = try client.get(member)
            if account.json["UserName"]?.stringValue == user, !user.isEmpty { return account }
        }
        return nil
    }

    /// PATCHes the account's Password, with If-Match when the BMC gave an ETag. A 412 (the ETag
    /// changed under us) is answered by reading the account again, once.
    public func setPassword(of account: RedfishResource, to password: String) throws(RedfishError) {
        var current = account
        for attempt in 1...2 {
            var headers: [HTTPHeader] = []
            if let etag = current.etag { headers.append(HTTPHeader("If-Match", etag)) }
            let change = "the password PATCH of \(current.path)"
            ChangeLedger.sending(change)
            let response = try client.send(
                .patch, current.path, body: ["Password": .string(password)], headers: headers, carriesCredentials: true)
            if response.isSuccess {
                ChangeLedger.accepted(change)
                return
            }
            if (400..<500).contains(response.status) { ChangeLedger.refused(change) }
            if response.status == 412 && attempt == 1 {
                current = try client.get(current.path)
                continue
            }
            throw .refused(status: response.status, request: "PATCH \(current.path) (Password)", messages: RedfishMessages.text(response))
        }
    }
}
