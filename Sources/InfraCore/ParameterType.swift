/// A CloudFormation parameter type: the basic ones, the AWS-specific ones and the SSM ones.
/// Open, so any type CloudFormation adds can be named with `ParameterType("...")`.
public struct ParameterType: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public static let string: Self = "String"
    public static let number: Self = "Number"
    public static let numberList: Self = "List<Number>"
    public static let commaDelimitedList: Self = "CommaDelimitedList"

    public static let availabilityZoneName: Self = "AWS::EC2::AvailabilityZone::Name"
    public static let imageId: Self = "AWS::EC2::Image::Id"
    public static let instanceId: Self = "AWS::EC2::Instance::Id"
    public static let keyPairName: Self = "AWS::EC2::KeyPair::KeyName"
    public static let securityGroupName: Self = "AWS::EC2::SecurityGroup::GroupName"
    public static let securityGroupId: Self = "AWS::EC2::SecurityGroup::Id"
    public static let subnetId: Self = "AWS::EC2::Subnet::Id"
    public static let volumeId: Self = "AWS::EC2::Volume::Id"
    public static let vpcId: Self = "AWS::EC2::VPC::Id"
    public static let hostedZoneId: Self = "AWS::Route53::HostedZone::Id"
    public static let availabilityZoneNameList: Self = "List<AWS::EC2::AvailabilityZone::Name>"
    public static let imageIdList: Self = "List<AWS::EC2::Image::Id>"
    public static let instanceIdList: Self = "List<AWS::EC2::Instance::Id>"
    public static let securityGroupNameList: Self = "List<AWS::EC2::SecurityGroup::GroupName>"
    public static let securityGroupIdList: Self = "List<AWS::EC2::SecurityGroup::Id>"
    public static let subnetIdList: Self = "List<AWS::EC2::Subnet::Id>"
    public static let volumeIdList: Self = "List<AWS::EC2::Volume::Id>"
    public static let vpcIdList: Self = "List<AWS::EC2::VPC::Id>"
    public static let hostedZoneIdList: Self = "List<AWS::Route53::HostedZone::Id>"

    public static let ssmParameterName: Self = "AWS::SSM::Parameter::Name"
    public static let ssmString: Self = "AWS::SSM::Parameter::Value<String>"
    public static let ssmStringList: Self = "AWS::SSM::Parameter::Value<List<String>>"
    public static let ssmCommaDelimitedList: Self = "AWS::SSM::Parameter::Value<CommaDelimitedList>"
    /// `AWS::SSM::Parameter::Value<AWS-specific type>`, e.g. `.ssmValue(.imageId)`.
    public static func ssmValue(_ type: ParameterType) -> Self { Self("AWS::SSM::Parameter::Value<" + type.rawValue + ">") }

    /// True for the types whose value is a list.
    public var isList: Bool {
        rawValue.hasPrefix("List<") || rawValue == "CommaDelimitedList"
            || rawValue.hasPrefix("AWS::SSM::Parameter::Value<List<")
            || rawValue == "AWS::SSM::Parameter::Value<CommaDelimitedList>"
    }

    static let knownPrefixes = ["AWS::EC2::", "AWS::Route53::", "List<AWS::EC2::", "List<AWS::Route53::", "AWS::SSM::Parameter::"]
    var isKnown: Bool {
        [Self.string, .number, .numberList, .commaDelimitedList].contains(self)
            || Self.knownPrefixes.contains(where: rawValue.hasPrefix)
    }
}
