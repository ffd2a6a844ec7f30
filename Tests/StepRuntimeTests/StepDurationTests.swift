import StepRuntime
import Testing

/// One way to write a duration for every reader (step options, OBM_LOCKOUT_POLICY, retry
/// backoffs), each with its own bounds; one way to read an optional setting.
@Suite struct StepDurationTests {
    @Test(arguments: [
        ("900", 900.0), ("90s", 90), ("30m", 1800), ("1h", 3600), ("1h30m", 5400), ("1.5h", 5400), ("500ms", 0.5), ("2m30s", 150),
        (" 5s ", 5), ("0", 0),
    ])
    func durationsAreReadAsGoWritesThem(text: String, seconds: Double) {
        #expect(StepDuration.parse(text) == seconds)
    }

    @Test func whatIsNotADurationIsNil() {
        for text in ["", "s", "5x", "5 s", "h1", "1h-5m", "--1s", "five"] {
            #expect(StepDuration.parse(text) == nil, "\(text)")
        }
    }

    @Test func aStepOptionIsMoreThanZeroAndAtMostAWeek() throws {
        #expect(try StepDuration.seconds("25m", option: "--timeout") == 1500)
        #expect(throws: StepError.badInput("--timeout \"0\" is not a duration such as 900, 90s, 30m or 1h")) {
            try StepDuration.seconds("0", option: "--timeout")
        }
        #expect(throws: StepError.badInput("--timeout \"8d\" is not a duration such as 900, 90s, 30m or 1h")) {
            try StepDuration.seconds("8d", option: "--timeout")
        }
        #expect(throws: StepError.self) { try StepDuration.seconds("169h", option: "--timeout") }
    }

    @Test func anEmptySettingIsNoSetting() {
        let environment = ["SET": "value", "EMPTY": ""]
        #expect(environment.setting("SET") == "value")
        #expect(environment.setting("EMPTY") == nil)
        #expect(environment.setting("MISSING") == nil)
    }

    @Test func secondsAreWrittenOneWayInMessages() {
        #expect(StepDuration.text(12.46) == "12.5 s")
        #expect(StepDuration.wholeText(29.6) == "30 s")
        #expect(StepDuration.wholeText(0.4) == "0 s")
        #expect(StepDuration.wholeText(300.2, rounding: .up) == "301 s")
    }
}
