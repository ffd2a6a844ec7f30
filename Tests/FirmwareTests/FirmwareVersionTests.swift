import Firmware
import Testing

/// Versions compared as their vendors number them, on the forms recorded from real BMCs (iLO 5's
/// FirmwareInventory, the DMTF mockup, iDRAC's), and anything else left unknown.
@Suite struct FirmwareVersionTests {
    func version(_ text: String) throws -> FirmwareVersion { try #require(FirmwareVersion(text), "\(text)") }

    func compare(_ a: String, _ b: String) throws -> FirmwareVersion.Comparison? { try version(a).compared(to: try version(b)) }

    @Test func dottedNumbersCompareNumericallyPartByPart() throws {
        #expect(try compare("7.00.60.00", "7.10.30.00") == .older)
        #expect(try compare("7.10.30.00", "7.10.30") == .same, "missing parts count as 0")
        #expect(try compare("08.50.78", "8.50.78") == .same, "leading zeros are the same number")
        #expect(try compare("3.40.192", "3.40.99") == .newer, "192 is more than 99, not less as text")
        #expect(try compare("2.5", "2.50") == .older, "each part is an integer: 5 < 50")
        #expect(try version("1.0.7").parts == [1, 0, 7])
    }

    @Test func iLOsReleaseDateIsNotPartOfTheNumber() throws {
        #expect(try version("2.46 May 11 2021").parts == [2, 46])
        #expect(try compare("2.46 May 11 2021", "2.72 Sep 04 2022") == .older)
        #expect(try compare("2.46 May 11 2021", "2.46") == .same)
    }

    @Test func aBuildIsOneMorePart() throws {
        #expect(try version("9.1.0 Build 36").parts == [9, 1, 0, 36])
        #expect(try compare("9.1.0 Build 36", "9.1.1 Build 2") == .older)
    }

    @Test func romFamiliesCompareOnlyWithinTheFamily() throws {
        let rom = try version("A43 v2.52 (10/29/2021)")
        #expect(rom.family == "A43" && rom.parts == [2, 52])
        #expect(try compare("A43 v2.40 (02/23/2021)", "A43 v2.52 (10/29/2021)") == .older)
        #expect(try compare("P79 v1.45", "P79 v1.45") == .same)
        #expect(try compare("A43 v2.52 (10/29/2021)", "U30 v2.60 (01/01/2022)") == nil, "another platform's ROM")
        #expect(try compare("A43 v2.52", "2.52") == nil, "a ROM version and a bare number are not the same scale")
    }

    @Test func hexadecimalNumbersCompareWithEachOther() throws {
        #expect(try version("0x0D").parts == [13])
        #expect(try compare("0x0D", "0x10") == .older)
        #expect(try compare("0x0D", "13") == nil)
    }

    @Test func anythingElseIsUnknownNeverGuessed() {
        for text in [
            "", "   ", "1.45.455b66-rev4", "v1.2", "1..2", "1.2.", "latest", "2.46 May 32 2021", "2.46 Foo 11 2021", "A43 v2.52 (someday)",
            "1.2.3.4.5.6.7.8.9", "1234567890.1", "0x", "0xFFFFFFFFF", "7.10.30.00 beta", "52.26.0-", "52.26.0-rc1", "1.2-3-4",
        ] {
            #expect(FirmwareVersion(text) == nil, "\(text)")
        }
    }

    @Test func paddingIsNotPartOfTheVersion() throws {
        #expect(try compare("  7.10.30.00 ", "7.10.30.00") == .same)
        #expect(try version("2.46  May 11 2021").parts == [2, 46])
    }

    @Test func dellStoragesDashBuildIsOneMorePart() throws {
        #expect(try version("52.26.0-5179").parts == [52, 26, 0, 5179])
        #expect(try compare("52.26.0-5179", "52.30.0-6115") == .older)
        #expect(try compare("52.26.0-5179", "52.26.0-5179") == .same)
        #expect(try compare("52.26.0-5179", "52.26.0") == .newer, "a build of 52.26.0 comes after it")
    }
}
