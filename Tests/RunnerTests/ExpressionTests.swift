import Testing

@testable import WorkflowRunner

/// The runner's pieces of Argo's template language, one by one: `{{...}}` substitution, `when`
/// (govaluate, bare words compared as text) and retryStrategy expressions (expr-lang on
/// lastRetry.exitCode, a string Argo turns with asInt).
@Suite struct ExpressionTests {
    @Test func substitutionReplacesWhatItKnowsAndNamesWhatItDoesNot() throws {
        let scope = ParameterScope(values: ["inputs.parameters.hostname": "h1.dc3", "workflow.name": "wf-abc"])
        #expect(try scope.substitute("{{inputs.parameters.hostname}} in {{ workflow.name }}", where: "t") == "h1.dc3 in wf-abc")
        #expect(try scope.substitute("no references", where: "t") == "no references")
        do {
            _ = try scope.substitute("{{inputs.parameters.missing}}", where: "main args")
            Issue.record("an unknown reference is an error")
        } catch let error as RunError {
            #expect(error.description == "main args: {{inputs.parameters.missing}} is not defined here")
        }
        do {
            _ = try scope.substitute("{{workflow.name", where: "main args")
            Issue.record("an unclosed reference is an error")
        } catch let error as RunError {
            #expect(error.description == "main args: unclosed {{ in \"{{workflow.name\"")
        }
        #expect(ParameterScope.references(in: "{{a}}-{{ b.c }}-{{d") == ["a", "b.c"])
    }

    @Test func whenComparesWordsAsTextAndJoinsWithAndOr() throws {
        #expect(try WhenExpression.evaluate("run == run"))
        #expect(try !WhenExpression.evaluate("skip == run"))
        #expect(try WhenExpression.evaluate("'run' == \"run\""))
        #expect(try WhenExpression.evaluate("skip != run && true"))
        #expect(try WhenExpression.evaluate("a == b || c == c"))
        #expect(try !WhenExpression.evaluate("a == a && b == c"), "&& binds tighter than ||")
        #expect(try !WhenExpression.evaluate("false"))
        // As govaluate tokenizes it: quoted, a value with a dash is a word; bare, a subtraction.
        #expect(try !WhenExpression.evaluate("'no-baseline' == update"))
        #expect(try WhenExpression.evaluate("'downgrade-refused' == 'downgrade-refused'"))
        do {
            _ = try WhenExpression.evaluate("no-baseline == update")
            Issue.record("an unquoted word with a dash fails in Argo, so here too")
        } catch let error as RunError {
            #expect(error.description.contains("the unquoted \"no-baseline\" as an expression"), "\(error)")
        }
        do {
            _ = try WhenExpression.evaluate("3 > 2")
            Issue.record("a comparison it does not know is an error")
        } catch let error as RunError {
            #expect(
                error.description == "when \"3 > 2\" is not supported by the local runner (comparisons with == and != joined by && and ||)")
        }
    }

    @Test func retryExpressionsCompareTheExitCode() throws {
        let transient = "asInt(lastRetry.exitCode) == 75"
        #expect(try RetryExpression.evaluate(transient, exitCode: 75))
        #expect(try !RetryExpression.evaluate(transient, exitCode: 1))
        #expect(try RetryExpression.evaluate("lastRetry.exitCode != 0 && asInt(lastRetry.exitCode) < 100", exitCode: 75))
        #expect(try !RetryExpression.evaluate("asInt(lastRetry.exitCode) >= 128", exitCode: 75))
        #expect(try RetryExpression.evaluate("asInt(lastRetry.exitCode) == 1 || asInt(lastRetry.exitCode) == 75", exitCode: 75))
        do {
            _ = try RetryExpression.evaluate("lastRetry.status == \"Error\"", exitCode: 1)
            Issue.record("an expression it does not know is an error")
        } catch let error as RunError {
            #expect(
                error.description
                    == "retryStrategy.expression \"lastRetry.status == \"Error\"\" is not supported by the local runner (comparisons of asInt(lastRetry.exitCode))"
            )
        }
    }
}
