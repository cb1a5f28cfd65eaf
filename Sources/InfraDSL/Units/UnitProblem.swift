/// The rule `TimeSpan` and `DataSize` share: the validation message when `property` cannot
/// express `value` - not a whole number of the unit CloudFormation takes it in (`unitName`), or
/// outside `range`; nil when it can.
func unitProblem<Value: Comparable & CustomStringConvertible>(
    _ value: Value, _ property: String, isWhole: Bool, unitName: String, in range: ClosedRange<Value>?
) -> String? {
    if !isWhole {
        return "\(property) \(value) is not a whole number of \(unitName) (CloudFormation takes \(property) in \(unitName))"
    }
    if let range, !range.contains(value) {
        return "\(property) must be between \(range.lowerBound) and \(range.upperBound) (got \(value))"
    }
    return nil
}
