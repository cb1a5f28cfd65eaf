import Foundation
import InfraDSL
import XCTest

/// The README's "Writing a stack" example, kept compiling and synthesizing.
final class ReadmeExampleTests: XCTestCase {
    func testReadmeExample() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("infra-readme-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try "def handler(event, context):\n    return None\n".write(to: dir.appendingPathComponent("app.py"), atomically: true, encoding: .utf8)

        let app = App()
        let stack = Stack(app, "pipeline", region: "eu-west-1", tags: ["team": "data"])

        let jobs = Queue(stack, "Jobs", deadLetterQueue: .init(queue: Queue(stack, "JobsDLQ"), maxReceiveCount: 5))
        let data = Bucket(stack, "Data", versioned: true)
        let worker = Function(stack, "Worker", code: .directory(dir.path), handler: "app.handler",
                              runtime: "python3.12", environment: ["BUCKET": data.bucketName])
        worker.addEventSource(queue: jobs)
        data.grantPut(worker)
        _ = Output(stack, "QueueUrl", value: jobs.queueUrl)

        let assembly = try app.synthesize()
        XCTAssertEqual(assembly.assets.count, 1)
        XCTAssertEqual(assembly.stacks[0].assets, [assembly.assets[0].id])
        guard case .object(let resources)? = assembly.stacks[0].template["Resources"] else { return XCTFail() }
        XCTAssertTrue(resources.contains { $0.1["Type"] == "AWS::Lambda::EventSourceMapping" })
    }
}
