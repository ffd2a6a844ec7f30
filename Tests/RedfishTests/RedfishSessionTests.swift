import Redfish
import Testing

/// A login the BMC accepted says who and how when printed, never its token or password.
@Suite struct RedfishSessionTests {
    @Test func aSessionPrintedByMistakeGivesNothingAway() {
        let token = RedfishSession(
            credential: .token("0123456789abcdef-token", location: "/redfish/v1/SessionService/Sessions/7"), user: "root")
        let basic = RedfishSession(credential: .basic(password: "Record-Passw0rd-2026"), user: "root")
        #expect("\(token)" == "session of root at /redfish/v1/SessionService/Sessions/7")
        #expect("\(basic)" == "basic authentication as root")
        #expect(!String(reflecting: token).contains("0123456789abcdef-token"))
        #expect(!String(reflecting: basic).contains("Record-Passw0rd-2026"))
        #expect(basic.authentication.isBasic && token.token == "0123456789abcdef-token" && basic.token == nil)
    }
}

extension RedfishAuthentication {
    fileprivate var isBasic: Bool {
        if case .basic(let user, let password) = self { return user == "root" && password == "Record-Passw0rd-2026" }
        return false
    }
}
