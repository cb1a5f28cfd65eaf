/// An `Fn::Sub` template written with interpolation: `"arn:${AWS::Partition}:s3:::\(bucket.ref)/*"`.
public struct SubTemplate: ExpressibleByStringInterpolation {
    let token: StringValue

    public init(stringLiteral value: String) { token = Fn.sub(value, [:]) }

    public init(stringInterpolation: StringValue.Interpolation) {
        var text = ""
        var vars: [String: StringValue] = [:]
        for part in stringInterpolation.parts {
            if case .string(let s) = part {
                text += s
            } else {
                let name = "T\(vars.count)"
                vars[name] = StringValue(token: part)
                text += "${\(name)}"
            }
        }
        token = Fn.sub(text, vars)
    }
}
