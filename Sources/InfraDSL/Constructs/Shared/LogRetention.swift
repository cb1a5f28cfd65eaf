import InfraCore

/// The retention periods CloudWatch Logs accepts.
enum LogRetention {
    static var allowedDays: [Int] { Validate.logRetentionDays }

    static func check(_ days: Int, _ what: String) -> [String] {
        allowedDays.contains(days) ? []
            : ["\(what) of \(days) days is not a value CloudWatch Logs accepts (\(allowedDays.map(String.init).joined(separator: ", ")))"]
    }
}
