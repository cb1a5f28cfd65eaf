import Foundation
@testable import InfraAWS
import InfraURLSession

/// CloudFormation calls to the scripted stand-in, every other call (S3, STS, ECR) to moto: for
/// the steps of a real stack that moto's CloudFormation cannot execute, while its assets and
/// staged templates still go to moto's S3 through infra's signed client.
///
/// A change set from a large template names it by `TemplateURL`; the stand-in reads no bucket,
/// so the call is forwarded with the body of the object the deployer staged in moto's bucket.
final class SplitTransport: HTTPTransport, @unchecked Sendable {
    let cloudFormation: ScriptedCloudFormation
    let rest: any HTTPTransport
    /// Reads staged templates from moto (any region: the URL names the bucket).
    let s3: S3Client

    init(cloudFormation: ScriptedCloudFormation, rest: any HTTPTransport = URLSessionTransport(), s3: S3Client) {
        self.cloudFormation = cloudFormation
        self.rest = rest
        self.s3 = s3
    }

    func send(_ request: HTTPRequest, timeout: TimeInterval) async throws -> HTTPResponse {
        guard request.headers["Authorization"]?.contains("/cloudformation/aws4_request") == true else {
            return try await rest.send(request, timeout: timeout)
        }
        var fields = ScriptedCloudFormation.form(request).sorted { $0.key < $1.key }
        guard let index = fields.firstIndex(where: { $0.key == "TemplateURL" }) else {
            return try await cloudFormation.send(request, timeout: timeout)
        }
        // https://<bucket>.s3.<region>.amazonaws.com/<key>
        let url = try Self.url(fields[index].value)
        let host = url.host ?? ""
        let bucket = String(host[..<(host.range(of: ".s3.")?.lowerBound ?? host.endIndex)])
        let object = try await s3.getObject(bucket: bucket, key: String(url.path.dropFirst()))
        fields[index] = (key: "TemplateBody", value: String(decoding: object.body, as: UTF8.self))
        var forwarded = request
        forwarded.body = Data(PercentEncoding.formBody(fields.map { ($0.key, $0.value) }).utf8)
        return try await cloudFormation.send(forwarded, timeout: timeout)
    }

    private static func url(_ text: String) throws -> URL {
        guard let url = URL(string: text) else { throw AWSClientError.invalidRequest("TemplateURL \(text)") }
        return url
    }
}
