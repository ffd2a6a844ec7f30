import JSON
import Testing
import WorkflowRunner

/// withParam items are named as Argo names them: the expectations are Argo's own
/// (workflow/controller/operator_test.go, Test_processItem, v4.1.2).
@Suite struct FanOutNameTests {
    @Test(arguments: [
        (#"["string"]"#, "task-name(0:string)"),
        (#"["alpha\nbeta"]"#, #"task-name(0:alpha\nbeta)"#),
        ("[42]", "task-name(0:42)"),
        ("[true]", "task-name(0:true)"),
        (
            #"[{"number": 2, "string": "foo", "list": [0, "1"], "json": {"number": 2, "string": "foo", "list": [0, "1"]}}]"#,
            #"task-name(0:json:{"list":[0,"1"],"number":2,"string":"foo"},list:[0,"1"],number:2,string:foo)"#
        ),
        (#"[[1, "two", 3]]"#, "task-name(0:[1 two 3])"),
        (#"["rack3-01.dc3.local (spare)"]"#, "task-name(0:rack3-01.dc3.local spare)"),
    ])
    func itemsAreNamedAsArgoNamesThem(withParam: String, expected: String) throws {
        let item = try #require(try JSONValue(parsing: withParam).arrayValue?.first)
        #expect(FanOutName.of(task: "task-name", index: 0, item: item) == expected)
    }
}
