import StepRuntime

/// How many hosts of a rollout may fail before it stops starting new ones: a count ("5") or a
/// share of the hosts selected ("10%"). Crossed when more than that have failed.
public struct FailureBudget: Sendable, Equatable, CustomStringConvertible {
    public enum Limit: Sendable, Equatable {
        case hosts(Int)
        case percent(Double)
    }

    public var limit: Limit

    public init(_ text: String) throws(StepError) {
        let trimmed = text.trimmedWhitespace
        if trimmed.hasSuffix("%") {
            guard let value = Double(trimmed.dropLast()), value >= 0, value <= 100 else {
                throw .badInput("failure budget \"\(text)\" is not a percentage from 0% to 100%")
            }
            limit = .percent(value)
        } else {
            guard let value = Int(trimmed), value >= 0 else {
                throw .badInput("failure budget \"\(text)\" is not a number of hosts (0 or more) or a percentage (10%)")
            }
            limit = .hosts(value)
        }
    }

    /// The most failed hosts allowed out of `total`: a share rounds down, so 10% of 15 is 1.
    public func allowed(of total: Int) -> Int {
        switch limit {
        case .hosts(let count): count
        case .percent(let share): Int((Double(total) * share / 100).rounded(.down))
        }
    }

    public func isCrossed(failed: Int, of total: Int) -> Bool { failed > allowed(of: total) }

    public var description: String {
        switch limit {
        case .hosts(let count): "\(count)"
        case .percent(let share): share == share.rounded() ? "\(Int(share))%" : "\(share)%"
        }
    }
}
