import Foundation

// CloudFormation's status vocabularies as enums. Each keeps a value it does not know
// (`.other`): CloudFormation adds statuses now and then, and a new one must neither crash a
// deploy nor be mistaken for another. Such a value is classified by CloudFormation's naming rule
// (`..._IN_PROGRESS`, `..._COMPLETE`, `..._FAILED`), the only place infra still reads a suffix.

/// A value that is one string on the wire and in text (JSON, messages), whatever its spelling:
/// encoded, decoded and printed as its raw value; every string makes a value.
public protocol RawStringValue: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible
    where RawValue == String {
    init(rawValue: String)
}

extension RawStringValue {
    public var description: String { rawValue }

    public init(from decoder: Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// A status as CloudFormation spells it, with a case per documented value and `.other` for the rest.
public protocol CloudFormationValue: RawStringValue {
    /// Every documented value (every case but `.other`).
    static var known: [Self] { get }
    /// A value this version of infra does not know, kept as sent.
    static func other(_ rawValue: String) -> Self
    /// CloudFormation's spelling of a documented value (nil for `.other`).
    var knownSpelling: String? { get }
}

extension CloudFormationValue {
    /// The documented case with this spelling, or `.other(rawValue)`: never fails.
    public init(rawValue: String) {
        self = Self.known.first { $0.knownSpelling == rawValue } ?? .other(rawValue)
    }

    /// Whether this value says an operation is still running: a documented value by its case,
    /// an unknown one by CloudFormation's naming rule.
    var namedInProgress: Bool { rawValue.hasSuffix("_IN_PROGRESS") }
    var namedFailed: Bool { rawValue.hasSuffix("_FAILED") }
    var namedComplete: Bool { rawValue.hasSuffix("_COMPLETE") }
}

/// What a status says about the operation it reports.
public enum StatusPhase: Sendable, Equatable {
    case inProgress
    case complete
    case failed
    /// Skipped (a resource CloudFormation left alone, e.g. `DELETE_SKIPPED` of a retained one).
    case skipped
    /// An unknown status that follows none of CloudFormation's naming rules.
    case unknown
}

// MARK: Stacks

/// A stack's status (`DescribeStacks`' `StackStatus`).
public enum StackStatus: CloudFormationValue {
    case createInProgress, createFailed, createComplete
    case rollbackInProgress, rollbackFailed, rollbackComplete
    case deleteInProgress, deleteFailed, deleteComplete
    case updateInProgress, updateCompleteCleanupInProgress, updateComplete, updateFailed
    case updateRollbackInProgress, updateRollbackFailed, updateRollbackCompleteCleanupInProgress
    case updateRollbackComplete
    /// A stack made by a CREATE change set that was never executed.
    case reviewInProgress
    case importInProgress, importComplete, importRollbackInProgress, importRollbackFailed, importRollbackComplete
    case other(String)

    public static let known: [StackStatus] = [
        .createInProgress, .createFailed, .createComplete, .rollbackInProgress, .rollbackFailed, .rollbackComplete,
        .deleteInProgress, .deleteFailed, .deleteComplete, .updateInProgress, .updateCompleteCleanupInProgress,
        .updateComplete, .updateFailed, .updateRollbackInProgress, .updateRollbackFailed,
        .updateRollbackCompleteCleanupInProgress, .updateRollbackComplete, .reviewInProgress, .importInProgress,
        .importComplete, .importRollbackInProgress, .importRollbackFailed, .importRollbackComplete,
    ]

    public var rawValue: String { knownSpelling ?? { if case .other(let v) = self { v } else { "" } }() }

    public var knownSpelling: String? {
        switch self {
        case .createInProgress: "CREATE_IN_PROGRESS"
        case .createFailed: "CREATE_FAILED"
        case .createComplete: "CREATE_COMPLETE"
        case .rollbackInProgress: "ROLLBACK_IN_PROGRESS"
        case .rollbackFailed: "ROLLBACK_FAILED"
        case .rollbackComplete: "ROLLBACK_COMPLETE"
        case .deleteInProgress: "DELETE_IN_PROGRESS"
        case .deleteFailed: "DELETE_FAILED"
        case .deleteComplete: "DELETE_COMPLETE"
        case .updateInProgress: "UPDATE_IN_PROGRESS"
        case .updateCompleteCleanupInProgress: "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS"
        case .updateComplete: "UPDATE_COMPLETE"
        case .updateFailed: "UPDATE_FAILED"
        case .updateRollbackInProgress: "UPDATE_ROLLBACK_IN_PROGRESS"
        case .updateRollbackFailed: "UPDATE_ROLLBACK_FAILED"
        case .updateRollbackCompleteCleanupInProgress: "UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS"
        case .updateRollbackComplete: "UPDATE_ROLLBACK_COMPLETE"
        case .reviewInProgress: "REVIEW_IN_PROGRESS"
        case .importInProgress: "IMPORT_IN_PROGRESS"
        case .importComplete: "IMPORT_COMPLETE"
        case .importRollbackInProgress: "IMPORT_ROLLBACK_IN_PROGRESS"
        case .importRollbackFailed: "IMPORT_ROLLBACK_FAILED"
        case .importRollbackComplete: "IMPORT_ROLLBACK_COMPLETE"
        case .other: nil
        }
    }

    /// An operation is running (`REVIEW_IN_PROGRESS`, a stack made only by a change set, is not).
    public var isInProgress: Bool {
        switch self {
        case .createInProgress, .rollbackInProgress, .deleteInProgress, .updateInProgress,
             .updateCompleteCleanupInProgress, .updateRollbackInProgress, .updateRollbackCompleteCleanupInProgress,
             .importInProgress, .importRollbackInProgress: true
        case .other: namedInProgress
        default: false
        }
    }

    /// The last operation ended badly: it failed, or it was rolled back.
    public var isFailure: Bool {
        switch self {
        case .createFailed, .rollbackFailed, .rollbackComplete, .deleteFailed, .updateFailed, .updateRollbackFailed,
             .updateRollbackComplete, .importRollbackFailed, .importRollbackComplete: true
        case .other(let raw): namedFailed || raw.hasSuffix("ROLLBACK_COMPLETE")
        default: false
        }
    }

    /// The last operation succeeded (an unknown status never counts as success).
    public var isSuccess: Bool {
        [.createComplete, .updateComplete, .importComplete, .deleteComplete].contains(self)
    }

    /// A create that never succeeded: such a stack cannot be updated, only deleted.
    public var isFailedCreate: Bool { [.rollbackComplete, .rollbackFailed, .createFailed].contains(self) }
}

// MARK: Resources

/// A resource's status (`ResourceStatus` of stack events and stack resources). The stack's own
/// events carry stack statuses here too, so those spellings are known as well.
public enum ResourceStatus: CloudFormationValue {
    case createInProgress, createFailed, createComplete
    case deleteInProgress, deleteFailed, deleteComplete, deleteSkipped
    case updateInProgress, updateFailed, updateComplete
    case importInProgress, importFailed, importComplete
    case importRollbackInProgress, importRollbackFailed, importRollbackComplete
    case exportInProgress, exportFailed, exportComplete
    case exportRollbackInProgress, exportRollbackFailed, exportRollbackComplete
    case rollbackInProgress, rollbackFailed, rollbackComplete
    case updateRollbackInProgress, updateRollbackFailed, updateRollbackComplete
    /// A stack status that appears in the stack's own events.
    case stack(StackStatus)
    case other(String)

    public static let known: [ResourceStatus] = [
        .createInProgress, .createFailed, .createComplete, .deleteInProgress, .deleteFailed, .deleteComplete,
        .deleteSkipped, .updateInProgress, .updateFailed, .updateComplete, .importInProgress, .importFailed,
        .importComplete, .importRollbackInProgress, .importRollbackFailed, .importRollbackComplete,
        .exportInProgress, .exportFailed, .exportComplete, .exportRollbackInProgress, .exportRollbackFailed,
        .exportRollbackComplete, .rollbackInProgress, .rollbackFailed, .rollbackComplete,
        .updateRollbackInProgress, .updateRollbackFailed, .updateRollbackComplete,
        .stack(.updateCompleteCleanupInProgress), .stack(.updateRollbackCompleteCleanupInProgress),
        .stack(.reviewInProgress),
    ]

    public var rawValue: String { knownSpelling ?? { if case .other(let v) = self { v } else { "" } }() }

    /// Spelled as the resource operation and its state (`DELETE` + `_SKIPPED`).
    public var knownSpelling: String? {
        guard let (operation, phase) = parts else {
            if case .stack(let s) = self { return s.knownSpelling }
            return nil
        }
        let state: String
        switch phase {
        case .inProgress: state = "IN_PROGRESS"
        case .complete: state = "COMPLETE"
        case .failed: state = "FAILED"
        case .skipped: state = "SKIPPED"
        case .unknown: return nil
        }
        return operation + "_" + state
    }

    private var parts: (String, StatusPhase)? {
        switch self {
        case .createInProgress: ("CREATE", .inProgress)
        case .createFailed: ("CREATE", .failed)
        case .createComplete: ("CREATE", .complete)
        case .deleteInProgress: ("DELETE", .inProgress)
        case .deleteFailed: ("DELETE", .failed)
        case .deleteComplete: ("DELETE", .complete)
        case .deleteSkipped: ("DELETE", .skipped)
        case .updateInProgress: ("UPDATE", .inProgress)
        case .updateFailed: ("UPDATE", .failed)
        case .updateComplete: ("UPDATE", .complete)
        case .importInProgress: ("IMPORT", .inProgress)
        case .importFailed: ("IMPORT", .failed)
        case .importComplete: ("IMPORT", .complete)
        case .importRollbackInProgress: ("IMPORT_ROLLBACK", .inProgress)
        case .importRollbackFailed: ("IMPORT_ROLLBACK", .failed)
        case .importRollbackComplete: ("IMPORT_ROLLBACK", .complete)
        case .exportInProgress: ("EXPORT", .inProgress)
        case .exportFailed: ("EXPORT", .failed)
        case .exportComplete: ("EXPORT", .complete)
        case .exportRollbackInProgress: ("EXPORT_ROLLBACK", .inProgress)
        case .exportRollbackFailed: ("EXPORT_ROLLBACK", .failed)
        case .exportRollbackComplete: ("EXPORT_ROLLBACK", .complete)
        case .rollbackInProgress: ("ROLLBACK", .inProgress)
        case .rollbackFailed: ("ROLLBACK", .failed)
        case .rollbackComplete: ("ROLLBACK", .complete)
        case .updateRollbackInProgress: ("UPDATE_ROLLBACK", .inProgress)
        case .updateRollbackFailed: ("UPDATE_ROLLBACK", .failed)
        case .updateRollbackComplete: ("UPDATE_ROLLBACK", .complete)
        case .stack, .other: nil
        }
    }

    /// What the status says of its operation; an unknown status by CloudFormation's naming rule.
    public var phase: StatusPhase {
        if let (_, phase) = parts { return phase }
        if case .stack(let s) = self { return s.isInProgress || s == .reviewInProgress ? .inProgress : .complete }
        if namedInProgress { return .inProgress }
        if namedFailed { return .failed }
        if namedComplete { return .complete }
        return rawValue.hasSuffix("_SKIPPED") ? .skipped : .unknown
    }

    public var isInProgress: Bool { phase == .inProgress }
    public var isFailed: Bool { phase == .failed }
    /// Finished without failing: complete or skipped.
    public var isDone: Bool { phase == .complete || phase == .skipped }
}

// MARK: Change sets

/// A change set's status (`DescribeChangeSet`'s `Status`).
public enum ChangeSetStatus: CloudFormationValue {
    case createPending, createInProgress, createComplete
    case deletePending, deleteInProgress, deleteComplete, deleteFailed
    case failed
    case other(String)

    public static let known: [ChangeSetStatus] = [
        .createPending, .createInProgress, .createComplete, .deletePending, .deleteInProgress, .deleteComplete,
        .deleteFailed, .failed,
    ]

    public var rawValue: String { knownSpelling ?? { if case .other(let v) = self { v } else { "" } }() }

    public var knownSpelling: String? {
        switch self {
        case .createPending: "CREATE_PENDING"
        case .createInProgress: "CREATE_IN_PROGRESS"
        case .createComplete: "CREATE_COMPLETE"
        case .deletePending: "DELETE_PENDING"
        case .deleteInProgress: "DELETE_IN_PROGRESS"
        case .deleteComplete: "DELETE_COMPLETE"
        case .deleteFailed: "DELETE_FAILED"
        case .failed: "FAILED"
        case .other: nil
        }
    }

    /// The change set is still being made.
    public var isPending: Bool { self == .createPending || self == .createInProgress }
}

/// Whether a change set can be executed (`DescribeChangeSet`'s `ExecutionStatus`).
public enum ChangeSetExecutionStatus: CloudFormationValue {
    case unavailable, available, executeInProgress, executeComplete, executeFailed, obsolete
    case other(String)

    public static let known: [ChangeSetExecutionStatus] = [
        .unavailable, .available, .executeInProgress, .executeComplete, .executeFailed, .obsolete,
    ]

    public var rawValue: String { knownSpelling ?? { if case .other(let v) = self { v } else { "" } }() }

    public var knownSpelling: String? {
        switch self {
        case .unavailable: "UNAVAILABLE"
        case .available: "AVAILABLE"
        case .executeInProgress: "EXECUTE_IN_PROGRESS"
        case .executeComplete: "EXECUTE_COMPLETE"
        case .executeFailed: "EXECUTE_FAILED"
        case .obsolete: "OBSOLETE"
        case .other: nil
        }
    }
}

/// What a change set does to a resource (`ResourceChange`'s `Action`).
public enum ChangeAction: CloudFormationValue {
    case add, modify, remove, `import`, dynamic
    case other(String)

    public static let known: [ChangeAction] = [.add, .modify, .remove, .import, .dynamic]

    public var rawValue: String { knownSpelling ?? { if case .other(let v) = self { v } else { "" } }() }

    public var knownSpelling: String? {
        switch self {
        case .add: "Add"
        case .modify: "Modify"
        case .remove: "Remove"
        case .import: "Import"
        case .dynamic: "Dynamic"
        case .other: nil
        }
    }
}

/// Whether a change replaces the resource (`ResourceChange`'s `Replacement`, Modify only).
public enum ChangeReplacement: CloudFormationValue {
    /// The resource is replaced (`True`).
    case always
    /// It is not (`False`).
    case never
    /// It may be, depending on a value known only when the change runs (`Conditional`).
    case conditional
    case other(String)

    public static let known: [ChangeReplacement] = [.always, .never, .conditional]

    public var rawValue: String { knownSpelling ?? { if case .other(let v) = self { v } else { "" } }() }

    public var knownSpelling: String? {
        switch self {
        case .always: "True"
        case .never: "False"
        case .conditional: "Conditional"
        case .other: nil
        }
    }
}
