import Foundation
@testable import InfraAWS
import XCTest

/// Error answers as AWS documents them for each protocol, and the XML reader's strictness.
final class ErrorParsingTests: XCTestCase {
    func parse(_ response: HTTPResponse, _ service: AWSService = .cloudFormation, _ operation: String = "DescribeStacks") -> AWSError {
        AWSError.parse(response, service: service, operation: operation)
    }

    func testQueryProtocolError() {
        let error = parse(.xml(400, """
            <ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/">
              <Error>
                <Type>Sender</Type>
                <Code>ValidationError</Code>
                <Message>Stack with id my-stack does not exist</Message>
              </Error>
              <RequestId>b9b4c2a2-2f6b-11e4-9c4f-1b5d3d5a0b6c</RequestId>
            </ErrorResponse>
            """))
        XCTAssertEqual(error, AWSError(service: "CloudFormation", operation: "DescribeStacks", statusCode: 400,
                                       code: "ValidationError", message: "Stack with id my-stack does not exist",
                                       requestID: "b9b4c2a2-2f6b-11e4-9c4f-1b5d3d5a0b6c"))
        XCTAssertEqual(error.description, "CloudFormation DescribeStacks failed: ValidationError: Stack with id my-stack "
                       + "does not exist (HTTP 400, request id b9b4c2a2-2f6b-11e4-9c4f-1b5d3d5a0b6c)")
    }

    func testSTSExpiredToken() {
        let error = parse(.xml(403, """
            <ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
              <Error>
                <Type>Sender</Type>
                <Code>ExpiredToken</Code>
                <Message>The security token included in the request is expired</Message>
              </Error>
              <RequestId>2d0c1ec5-0c62-4a54-8f4c-6d8c8e7c0a11</RequestId>
            </ErrorResponse>
            """), .sts, "GetCallerIdentity")
        XCTAssertEqual(error.code, "ExpiredToken")
        XCTAssertEqual(error.statusCode, 403)
        XCTAssertEqual(error.requestID, "2d0c1ec5-0c62-4a54-8f4c-6d8c8e7c0a11")
    }

    func testS3Errors() {
        let error = parse(.xml(404, """
            <?xml version="1.0" encoding="UTF-8"?>
            <Error>
              <Code>NoSuchKey</Code>
              <Message>The specified key does not exist.</Message>
              <Key>assets/abc.zip</Key>
              <RequestId>4442587FB7D0A2F9</RequestId>
              <HostId>eftixk72aD6Ap51TnqcoF8eFidJG9Z/2mkiDFu8yU9AS1ed4OpIszj7UDNEHGran</HostId>
            </Error>
            """, headers: ["x-amz-request-id": "4442587FB7D0A2F9"]), .s3, "GetObject")
        XCTAssertEqual(error.code, "NoSuchKey")
        XCTAssertEqual(error.message, "The specified key does not exist.")
        XCTAssertEqual(error.requestID, "4442587FB7D0A2F9")
        XCTAssertEqual(error.description, "S3 GetObject failed: NoSuchKey: The specified key does not exist. (HTTP 404, request id 4442587FB7D0A2F9)")

        // HEAD answers carry no body: the code comes from the status
        let head = parse(HTTPResponse(statusCode: 403, headers: ["x-amz-request-id": "R2"]), .s3, "HeadObject")
        XCTAssertEqual(head.code, "Forbidden")
        XCTAssertEqual(head.description, "S3 HeadObject failed: Forbidden (HTTP 403, request id R2)")
    }

    func testJSONErrors() {
        let plain = parse(.json(400, #"{"__type":"RepositoryNotFoundException","message":"The repository with name 'x' does not exist in the registry with id '123456789012'"}"#,
                                headers: ["x-amzn-RequestId": "a1b2"]), .ecr, "DescribeImages")
        XCTAssertEqual(plain.code, "RepositoryNotFoundException")
        XCTAssertEqual(plain.requestID, "a1b2")
        XCTAssertTrue(plain.message.hasPrefix("The repository with name 'x'"))

        let prefixed = parse(.json(400, #"{"__type":"com.amazonaws.ecr#RepositoryAlreadyExistsException","Message":"exists"}"#), .ecr, "CreateRepository")
        XCTAssertEqual(prefixed.code, "RepositoryAlreadyExistsException")
        XCTAssertEqual(prefixed.message, "exists")

        let header = parse(HTTPResponse(statusCode: 400, headers: [
            "x-amzn-ErrorType": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.coral.availability/",
        ], body: Data(#"{"message":"Rate exceeded"}"#.utf8)), .ecr, "DescribeImages")
        XCTAssertEqual(header.code, "ThrottlingException")
        XCTAssertEqual(header.message, "Rate exceeded")
        XCTAssertTrue(header.isThrottling)
    }

    func testUnreadableBodiesStillGiveAClearError() {
        let html = parse(HTTPResponse(statusCode: 502, body: Data("<html><body>Bad Gateway".utf8)))
        XCTAssertEqual(html.code, "BadGateway")
        XCTAssertEqual(html.description, "CloudFormation DescribeStacks failed: BadGateway (HTTP 502)")
        let multiline = AWSError(service: "S", operation: "O", statusCode: 400, code: "C", message: "line one\nline two")
        XCTAssertEqual(multiline.description, "S O failed: C: line one line two (HTTP 400)")
    }

    func testXMLReaderRejectsWhatXMLParserLetsThrough() {
        for bad in ["", "   \n", "<a><b>text</b>", "<a></b>", "not xml at all", "<a/><b/>", "<a>&undefined;</a>"] {
            XCTAssertThrowsError(try XMLTree.parse(Data(bad.utf8)), "accepted: \(bad.debugDescription)")
        }
        let tree = try? XMLTree.parse(Data("""
            <?xml version="1.0"?>
            <r xmlns="urn:x"><a>1 &amp; 2</a><list><member>x</member><member>y</member></list><c><![CDATA[<raw>]]></c></r>
            """.utf8))
        XCTAssertEqual(tree?.string("a"), "1 & 2")
        XCTAssertEqual(tree?.members("list").map(\.text), ["x", "y"])
        XCTAssertEqual(tree?.string("c"), "<raw>")
        XCTAssertEqual(XMLTree(name: "K", text: "a<b&'\"").xmlString(), "<K>a&lt;b&amp;&apos;&quot;</K>")
    }

    func testMalformedSuccessBodiesAreReported() async throws {
        let transport = ScriptedTransport([.xml(200, "<DescribeStacksResponse><DescribeStacksResult><Stacks>")])
        do {
            _ = try await CloudFormationClient(client: scriptedClient(transport)).describeStacks()
            XCTFail("expected a malformed response error")
        } catch let error as AWSClientError {
            XCTAssertTrue("\(error)".hasPrefix("CloudFormation DescribeStacks returned a response infra cannot read:"), "\(error)")
        }
        let json = ScriptedTransport([.json(200, #"{"repositories": [{"repositoryName": 42}]}"#)])
        do {
            _ = try await ECRClient(client: scriptedClient(json)).describeRepositories()
            XCTFail("expected a malformed response error")
        } catch let error as AWSClientError {
            XCTAssertTrue("\(error)".contains("invalid JSON: .repositories[0].repositoryName"), "\(error)")
        }
    }
}
