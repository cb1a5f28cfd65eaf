import Foundation
import InfraAWS
import InfraContract

/// Watches one stack operation: polls DescribeStackEvents (new events only) adaptively, reports
/// every new event, and returns when the operation is over.
///
/// One call per poll while the stack works: the stack's own events say when it stops (a status
/// that is not `*_IN_PROGRESS`), and only then does DescribeStacks confirm the final status (and
/// bring the outputs). DescribeStacks is also asked on the first poll and every
/// `statusEvery`-th one, for a server that does not report the stack's own events.
struct StackMonitor {
    let cfn: CloudFormationClient
    /// The stack id (works after deletion too) or name.
    let stackId: String
    let stackName: String
    let polling: PollingPolicy
    let output: DeployOutput

    /// DescribeStacks at least every this many polls while no final stack event is seen.
    static let statusEvery = 5

    struct Result {
        /// The stack at the end (status DELETE_COMPLETE, or nil if CloudFormation no longer knows it).
        var stack: InfraAWS.Stack?
        /// The operation's events, oldest first.
        var events: [StackEvent]
    }

    /// The newest event now, to tell the operation's events from older ones.
    static func newestEventId(_ cfn: CloudFormationClient, stack: String) async throws -> String? {
        do {
            return try await cfn.describeStackEvents(stackName: stack).events.first?.eventId
        } catch let e as AWSError where e.code == "ValidationError" {
            return nil
        }
    }

    /// An event of the stack itself (not of a resource, nor of a nested stack).
    func isStackEvent(_ e: StackEvent) -> Bool {
        e.resourceType == "AWS::CloudFormation::Stack" && (e.physicalResourceId == e.stackId
            || e.logicalResourceId == stackName)
    }

    /// Watches until no operation is in progress.
    ///
    /// - `after`: the newest event before the operation started (nil: show events since `since`).
    /// - `previous`: the status before the operation; until an event newer than `after` has
    ///   been seen, that status (or `REVIEW_IN_PROGRESS`) means the operation has not visibly
    ///   started yet, so a status read too early is not taken for the end.
    func watch(after marker: String?, since: Date? = nil, previous: StackStatus? = nil) async throws -> Result {
        do {
            return try await watchOnce(after: marker, since: since, previous: previous)
        } catch let g as WatchGaveUp {
            throw gaveUp(g)
        }
    }

    /// The polls' client: at most `watchAttempts` attempts per call, so a throttled or failing poll
    /// comes back to the monitor within seconds, which says so, backs off (`PollingPolicy`'s error
    /// backoff) and draws on the shared call budget, instead of one call retrying silently for a
    /// minute and seeing the end of the operation late.
    static func watchClient(_ cfn: CloudFormationClient) -> CloudFormationClient {
        var options = cfn.client.options
        options.retry.readMaxAttempts = min(options.retry.readMaxAttempts, watchAttempts)
        options.retry.maxAttempts = min(options.retry.maxAttempts, watchAttempts)
        let c = cfn.client
        return CloudFormationClient(client: AWSClient(region: c.region, credentials: c.credentials,
                                                      endpoints: c.endpoints, transport: c.transport, options: options))
    }

    static let watchAttempts = 3

    /// `watch` with the operation's progress block on screen; Ctrl-C stops the watch (never the
    /// operation) with an `interrupted` error whose message `resume` writes for the stack's name.
    func watchShown(_ operation: String, expected: Int, after marker: String?, since: Date?, previous: StackStatus?,
                    resume: (String) -> String) async throws -> Result {
        output.begin(stack: stackName, operation: operation, expected: expected)
        defer { output.end(stack: stackName) }
        do {
            return try await watch(after: marker, since: since, previous: previous)
        } catch where error.isCancellation || Task.isCancelled {
            throw DeployError(.interrupted, resume(stackName))
        }
    }

    private func watchOnce(after marker: String?, since: Date?, previous: StackStatus?) async throws -> Result {
        let cfn = Self.watchClient(self.cfn)
        var seen = Set<String>()
        var newestSeen = marker
        var events: [StackEvent] = []
        let startedAt = polling.now()
        var polls = 0
        // a stack event says the operation stopped: ask DescribeStacks on every poll until it agrees
        var endReported = false
        // resources whose latest event is *_IN_PROGRESS, and when the last of them finished: the
        // stack's own final event follows within moments, so polls are held short then
        var inProgress = Set<String>()
        var settledPolls: Int?  // polls since the last resource finished (counted, not timed)
        let maxSettlePolls = Int((polling.settleWindow / max(0.01, polling.settle)).rounded(.up))

        /// The new events, oldest first (reported as they come).
        func fetch() async throws -> [StackEvent] {
            let stopAt = newestSeen
            let fresh = try await limited { try await cfn.stackEvents(stackName: stackId, stopAt: { e in
                if let stopAt, e.eventId == stopAt { return true }
                if seen.contains(e.eventId) { return true }
                if stopAt == nil, let since, let t = e.timestamp, t < since { return true }
                return false
            }, maxPages: 20) }
            let chronological = fresh.reversed().filter { seen.insert($0.eventId).inserted }
            if let newest = fresh.first { newestSeen = newest.eventId }
            for e in chronological { output.event(e, stack: stackName) }
            events += chronological
            return chronological
        }

        let final: InfraAWS.Stack? = try await pollUntil(polling, what: "\(stackName) to finish", onTransient: { error, failures, wait in
            output.line(Self.stillWatching(stackName, error: error, failures: failures, wait: wait))
        }, hinted: {
            polls += 1
            let fresh = try await fetch()
            var resourceEvents = false
            for e in fresh where !isStackEvent(e) {
                guard let id = e.logicalResourceId, let status = e.resourceStatus else { continue }
                resourceEvents = true
                if status.isInProgress { inProgress.insert(id) } else { inProgress.remove(id) }
            }
            if resourceEvents {
                settledPolls = inProgress.isEmpty ? 0 : nil
            } else if let n = settledPolls {
                settledPolls = n + 1
            }
            let settling = settledPolls.map { $0 < maxSettlePolls } ?? false
            let news: PollHint = !fresh.isEmpty ? .news : settling ? .settling : .quiet
            let endSeen = fresh.contains { isStackEvent($0) && !($0.resourceStatus?.isInProgress ?? false) }
            endReported = endReported || endSeen
            guard endReported || polls == 1 || polls % Self.statusEvery == 0 else { return (nil, news) }
            guard let stack = try await limited({ try await cfn.describeStack(stackId) }) else {
                return (.some(nil), news)
            }
            let started = !events.isEmpty || marker == nil
                || (previous != nil && stack.status != previous && stack.status != .reviewInProgress)
                || polling.now().timeIntervalSince(startedAt) > 60
            if stack.status.isInProgress || stack.status == .reviewInProgress && previous != nil || !started {
                return (nil, news)
            }
            if !endReported {
                _ = try await fetch()  // the last events, written just before the final status
            }
            return (.some(stack), news)
        })
        return Result(stack: final, events: events)
    }

    /// A call through the deploy's shared budget of CloudFormation calls (its region's), which
    /// slows down when CloudFormation throttles.
    func limited<T>(_ call: () async throws -> T) async throws -> T {
        guard let limiter = polling.limiter else { return try await call() }
        let key = cfn.client.region
        let wait = limiter.reserve(key, now: polling.now())
        if wait > 0 { try await polling.sleep(wait) }
        do {
            let value = try await call()
            limiter.succeeded(key)
            return value
        } catch let e as AWSError where e.isThrottling {
            limiter.throttled(key)
            throw e
        }
    }

    /// A transient failure while watching: said, and watched on.
    static func stillWatching(_ stack: String, error: Error, failures: Int, wait: TimeInterval) -> String {
        "\(stack): \(Self.describe(error)); still watching (CloudFormation carries on), next try in "
            + String(format: "%.1f s", wait) + (failures > 1 ? " (\(failures) failed polls in a row)" : "")
    }

    /// A short text of a failure while watching.
    static func describe(_ error: Error) -> String {
        switch error {
        case let e as AWSError:
            return "\(e.operation) answered \(e.code)" + (e.message.isEmpty ? "" : " (\(e.message))")
                + " HTTP \(e.statusCode)"
        default:
            return error.deployMessage
        }
    }

    /// The watch stopped after failing calls: what CloudFormation is doing and how to attach again.
    func gaveUp(_ g: WatchGaveUp) -> DeployError {
        DeployError(.other, """
            \(stackName): stopped watching after \(Int(g.seconds)) s of failing calls (\(g.failures) polls; last: \
            \(Self.describe(g.underlying))). CloudFormation carries on with the operation; nothing was undone. Run \
            the same command again (`infra deploy \(stackName)`, or `infra destroy \(stackName)` for a deletion) \
            to attach to the operation in progress, or follow it in the CloudFormation console.
            """)
    }
}

/// One failed resource, from an event or from DescribeStackResources.
public struct FailedResource: Sendable, Equatable {
    public var logicalId: String
    public var type: String
    public var status: ResourceStatus
    public var reason: String?

    public init(logicalId: String, type: String, status: ResourceStatus, reason: String?) {
        self.logicalId = logicalId
        self.type = type
        self.status = status
        self.reason = reason
    }

    init(_ e: StackEvent) {
        self.init(logicalId: e.logicalResourceId ?? "?", type: e.resourceType ?? "?", status: e.resourceStatus ?? .other("?"),
                  reason: e.resourceStatusReason)
    }

    init(_ r: ResourceSummary) {
        self.init(logicalId: r.logicalId, type: r.type, status: r.status, reason: r.reason)
    }

    var isCancellation: Bool { DeployOutput.isCancellation(reason) }

    var text: String { "\(logicalId) (\(type)) \(status): \(reason ?? "no reason given")" }
}

/// Why a stack operation failed, from its events: the first real cause first.
public struct FailureReport: Sendable {
    /// The earliest `*_FAILED` resource event that is not a cancellation caused by another failure.
    public var firstCause: FailedResource?
    /// The other failed resources (first failure of each), cancellations last.
    public var otherFailures: [FailedResource]
    public var finalStatus: StackStatus?
    public var finalReason: String?

    public init(events: [StackEvent], stackName: String, final: InfraAWS.Stack?) {
        func isStackEvent(_ e: StackEvent) -> Bool {
            e.resourceType == "AWS::CloudFormation::Stack" && (e.logicalResourceId == stackName
                || e.physicalResourceId == e.stackId)
        }
        let failed = events.filter { ($0.resourceStatus?.isFailed ?? false) && !isStackEvent($0) }
            .map(FailedResource.init)
        let real = failed.filter { !$0.isCancellation }
        let first = real.first ?? failed.first
        firstCause = first
        var others: [FailedResource] = []
        for f in real + failed.filter(\.isCancellation)
        where f != first && f.logicalId != first?.logicalId && !others.contains(where: { $0.logicalId == f.logicalId }) {
            others.append(f)
        }
        otherFailures = others
        finalStatus = final?.status
        finalReason = final?.statusReason
        if firstCause == nil, finalReason == nil {
            // no resource event says why (moto reports stack-level events only): the stack's own
            // failure event is the best there is
            finalReason = events.last(where: { isStackEvent($0) && ($0.resourceStatus?.isFailed ?? false) })?
                .resourceStatusReason
        }
    }

    /// Adds the failures DescribeStackResources reports, when the events named none.
    mutating func addResourceFailures(_ resources: [ResourceSummary],
                                      failed isFailure: (ResourceStatus) -> Bool = { $0.isFailed }) {
        guard firstCause == nil else { return }
        let failed = resources.filter { isFailure($0.status) }.map(FailedResource.init)
        firstCause = failed.first { !$0.isCancellation } ?? failed.first
        otherFailures = failed.filter { $0 != firstCause }
    }

    /// The report as lines: first cause, other failures, final state.
    public func lines() -> [String] {
        var out: [String] = []
        if let c = firstCause {
            out.append("  first cause: \(c.text)")
        }
        for f in otherFailures {
            out.append("  also failed: \(f.text)")
        }
        if firstCause == nil {
            out.append("  no resource reported a failure" + (finalReason.map { "; CloudFormation says: \($0)" } ?? ""))
        }
        if let s = finalStatus {
            out.append("  final stack state: \(s)" + (firstCause != nil ? finalReason.map { " (\($0))" } ?? "" : ""))
        } else {
            out.append("  final stack state: the stack no longer exists")
        }
        return out
    }
}
