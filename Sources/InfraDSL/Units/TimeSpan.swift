/// A length of time in whole seconds: timeouts, intervals, delays, TTLs, retention periods.
///
/// ```swift
/// Function(stack, "Worker", ..., timeout: .seconds(30), logRetention: .days(14))
/// Queue(stack, "Jobs", visibilityTimeout: .minutes(5), retentionPeriod: .days(4))
/// ```
///
/// Why not `Swift.Duration`: every CloudFormation property infra sets takes whole seconds,
/// minutes or days, while `Swift.Duration` holds attoseconds and has no minutes, hours or days
/// (adding them as public extensions of a standard library type would clash with any other
/// library doing the same). A `TimeSpan` cannot hold half a second, so only the coarser units
/// need a check: a span the property cannot express (90 seconds where CloudFormation takes
/// whole minutes, a retention CloudWatch Logs does not offer) is a synthesis error naming the
/// construct path and the property. `TimeSpan(exactly:)` converts a `Swift.Duration`.
public struct TimeSpan: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The whole length, in seconds.
    public let seconds: Int

    private init(seconds: Int) { self.seconds = seconds }

    public static func seconds(_ n: Int) -> TimeSpan { TimeSpan(seconds: n) }
    public static func minutes(_ n: Int) -> TimeSpan { TimeSpan(seconds: n * 60) }
    public static func hours(_ n: Int) -> TimeSpan { TimeSpan(seconds: n * 3600) }
    /// Days of 24 hours (as CloudWatch Logs, S3 lifecycle rules and RDS backups count them).
    public static func days(_ n: Int) -> TimeSpan { TimeSpan(seconds: n * 86_400) }

    public static let zero = TimeSpan(seconds: 0)

    /// A `Swift.Duration` of whole seconds; nil when it has a fraction of a second.
    public init?(exactly duration: Duration) {
        let (s, atto) = duration.components
        guard atto == 0, let whole = Int(exactly: s) else { return nil }
        seconds = whole
    }

    /// The span as a `Swift.Duration`.
    public var duration: Duration { .seconds(seconds) }

    /// A unit a CloudFormation property counts in.
    public enum Unit: Int, Sendable {
        case seconds = 1, minutes = 60, hours = 3600, days = 86_400

        var name: String {
            switch self {
            case .seconds: "seconds"
            case .minutes: "minutes"
            case .hours: "hours"
            case .days: "days"
            }
        }
    }

    /// The number of whole `unit`s (rounded down; `problem(…)` says when it is not whole).
    public func count(of unit: Unit) -> Int { seconds / unit.rawValue }

    /// True when the span is a whole number of `unit`s.
    public func isWhole(_ unit: Unit) -> Bool { seconds % unit.rawValue == 0 }

    /// "90 seconds", "5 minutes", "14 days": the largest unit that divides the span exactly.
    public var description: String {
        for unit in [Unit.days, .hours, .minutes] where seconds != 0 && isWhole(unit) {
            let n = count(of: unit)
            return "\(n) \(n == 1 ? String(unit.name.dropLast()) : unit.name)"
        }
        return "\(seconds) \(seconds == 1 ? "second" : "seconds")"
    }

    public static func < (a: TimeSpan, b: TimeSpan) -> Bool { a.seconds < b.seconds }

    /// The validation message when `property` cannot express this span: not a whole number of
    /// `unit`s (CloudFormation takes that unit), or outside `range`; nil when it can.
    public func problem(_ property: String, unit: Unit = .seconds, in range: ClosedRange<TimeSpan>? = nil) -> String? {
        unitProblem(self, property, isWhole: isWhole(unit), unitName: unit.name, in: range)
    }

    /// The validation message when `property` is not one of `allowed` (counted in `unit`).
    public func problem(_ property: String, unit: Unit, oneOf allowed: [Int], service: String) -> String? {
        if !isWhole(unit) || !allowed.contains(count(of: unit)) {
            return "\(property) \(self) is not one \(service) accepts (\(unit.name): \(allowed.map(String.init).joined(separator: ", ")))"
        }
        return nil
    }
}

extension TimeSpan {
    /// The validation message when `property` is not a retention CloudWatch Logs accepts
    /// (whole days, one of `Validate.logRetentionDays`).
    func logRetentionProblem(_ property: String) -> String? {
        problem(property, unit: .days, oneOf: Validate.logRetentionDays, service: "CloudWatch Logs")
    }
}
