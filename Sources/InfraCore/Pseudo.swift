/// The pseudo parameters.
public enum Pseudo {
    public static var accountId: StringValue { StringValue(token: .pseudo("AWS::AccountId")) }
    public static var region: StringValue { StringValue(token: .pseudo("AWS::Region")) }
    public static var partition: StringValue { StringValue(token: .pseudo("AWS::Partition")) }
    public static var stackName: StringValue { StringValue(token: .pseudo("AWS::StackName")) }
    public static var stackId: StringValue { StringValue(token: .pseudo("AWS::StackId")) }
    public static var urlSuffix: StringValue { StringValue(token: .pseudo("AWS::URLSuffix")) }
    public static var notificationARNs: ListValue<StringValue> { ListValue(token: .pseudo("AWS::NotificationARNs")) }
    /// Removes the property it is assigned to (in `Fn.if`).
    public static func noValue<T: TokenBacked>(_ type: T.Type = T.self) -> T { T(token: .pseudo("AWS::NoValue")) }
}
