import Foundation
import InfraAWS
import InfraContract

/// Mutations whose answer was lost (the connection dropped after the request went out, so the
/// service may or may not have acted) are resolved by looking at the real state, never by a
/// blind second call: CloudFormation with the same token would be fine, but not every server
/// honours tokens (moto re-executes), and a new token would act twice.
///
/// Each function: the call; on an ambiguous failure, a read that says whether it happened; the
/// call again only when the read says it did not.
enum Resolve {
    /// The outcome of the call is unknown: the request may have reached the service.
    static func isAmbiguous(_ error: Error) -> Bool {
        guard let e = error as? AWSClientError else { return false }
        switch e {
        case .ambiguous: return true  // the client did not resend it (InfraAWS's Idempotency contract)
        case .transport: return true  // every attempt failed on the network: any of them may have arrived
        default: return false
        }
    }

    /// Why the answer was lost, briefly.
    static func reason(_ error: Error) -> String {
        if case let .ambiguous(_, _, underlying)? = error as? AWSClientError { return underlying }
        return error.deployMessage
    }

    /// CreateChangeSet; a lost answer is resolved by DescribeChangeSet of the change set's name.
    static func createChangeSet(_ cfn: CloudFormationClient, stackName: String, changeSetName: String,
                                type: ChangeSetType, settings: StackSettings, description: String?,
                                importExistingResources: Bool? = nil,
                                log: (String) -> Void = { _ in }) async throws
        -> CloudFormationClient.CreateChangeSetResult {
        var lastError: Error?
        for _ in 0..<2 {
            do {
                return try await cfn.createChangeSet(stackName: stackName, changeSetName: changeSetName, type: type,
                                                     settings: settings, description: description,
                                                     importExistingResources: importExistingResources)
            } catch where isAmbiguous(error) {
                lastError = error
                log("\(stackName): the answer to CreateChangeSet was lost (\(reason(error))); looking whether "
                    + "change set \(changeSetName) exists")
                if let found = try await lookUpChangeSet(cfn, stackName: stackName, changeSetName: changeSetName) {
                    log("\(stackName): change set \(changeSetName) was created; carrying on with it")
                    return .existing(changeSetId: found.changeSetId, stackId: found.stackId)
                }
                log("\(stackName): change set \(changeSetName) does not exist; creating it")
            }
        }
        throw lastError!
    }

    /// DescribeChangeSet by name, nil when CloudFormation does not know it (or its stack).
    static func lookUpChangeSet(_ cfn: CloudFormationClient, stackName: String, changeSetName: String) async throws
        -> ChangeSetDescription? {
        do {
            return try await cfn.describeChangeSet(changeSetName, stackName: stackName)
        } catch let e as AWSError where e.code == "ChangeSetNotFound" || e.code == "ChangeSetNotFoundException"
            || (e.code == "ValidationError" && e.message.contains("does not exist")) {
            return nil
        }
    }

    /// ExecuteChangeSet; a lost answer is resolved by the change set's ExecutionStatus, or, when
    /// the change set is gone, by the stack's status compared with `before`.
    static func executeChangeSet(_ cfn: CloudFormationClient, changeSetId: String, stackId: String, name: String,
                                 before: StackStatus?, log: (String) -> Void = { _ in }) async throws {
        var lastError: Error?
        for _ in 0..<2 {
            do {
                try await cfn.executeChangeSet(changeSetId)
                return
            } catch where isAmbiguous(error) {
                lastError = error
                log("\(name): the answer to ExecuteChangeSet was lost (\(reason(error))); looking whether "
                    + "the change set was executed")
                if let d = try await lookUpChangeSet(cfn, stackName: stackId, changeSetName: changeSetId) {
                    if d.executionStatus != .available {
                        log("\(name): the change set was executed (\(d.executionStatus)); watching it")
                        return
                    }
                } else {
                    // an executed change set may be gone: the stack says whether anything started
                    let stack = try await cfn.describeStack(stackId)
                    if stack == nil || stack?.status != before {
                        log("\(name): the stack moved on (\(stack.map { "\($0.status)" } ?? "gone")); watching it")
                        return
                    }
                    throw DeployError(.other, "\(name): the answer to ExecuteChangeSet was lost and the change set "
                        + "no longer exists while the stack is unchanged (\(before.map { "\($0)" } ?? "?")); run "
                        + "`infra deploy` again")
                }
                log("\(name): the change set was not executed; executing it")
            }
        }
        throw lastError!
    }

    /// DeleteStack; a lost answer is resolved by DescribeStacks of the stack id: a deletion in
    /// progress or done (or a stack CloudFormation no longer knows) means it was taken.
    static func deleteStack(_ cfn: CloudFormationClient, stackId: String, name: String, before: StackStatus?,
                            log: (String) -> Void = { _ in }) async throws {
        var lastError: Error?
        for _ in 0..<2 {
            do {
                try await cfn.deleteStack(stackName: stackId)
                return
            } catch where isAmbiguous(error) {
                lastError = error
                log("\(name): the answer to DeleteStack was lost (\(reason(error))); looking at the stack")
                let stack = try await cfn.describeStack(stackId)
                if stack == nil || stack?.status == .deleteInProgress || stack?.status == .deleteComplete
                    || (stack?.status != before && stack?.status.isInProgress == true) {
                    log("\(name): the deletion was taken (\(stack.map { "\($0.status)" } ?? "gone")); watching it")
                    return
                }
                log("\(name): the stack is unchanged (\(stack.map { "\($0.status)" } ?? "?")); deleting it")
            }
        }
        throw lastError!
    }

    /// PutObject of content whose MD5 is known; a lost answer is resolved by HeadObject: an object
    /// of the same size and ETag (the MD5 of a single-part upload) is the upload, done.
    static func putObject(_ s3: S3Client, bucket: String, key: String, body: Data, contentType: String,
                          log: (String) -> Void = { _ in }) async throws {
        var lastError: Error?
        for _ in 0..<2 {
            do {
                try await s3.putObject(bucket: bucket, key: key, body: body, contentType: contentType)
                return
            } catch where isAmbiguous(error) {
                lastError = error
                log("s3://\(bucket)/\(key): the answer to PutObject was lost (\(reason(error))); looking at the object")
                if let head = try await s3.headObject(bucket: bucket, key: key), matches(head, body) {
                    log("s3://\(bucket)/\(key): uploaded (same size and checksum)")
                    return
                }
                log("s3://\(bucket)/\(key): not there (or not this content); uploading it")
            }
        }
        throw lastError!
    }

    /// The object holds `body`: same size, and an ETag that is its MD5 (when it is a plain one).
    static func matches(_ head: S3Client.ObjectMetadata, _ body: Data) -> Bool {
        guard head.contentLength == Int64(body.count) else { return false }
        guard let etag = head.eTag?.trimmingCharacters(in: CharacterSet(charactersIn: "\"")), !etag.contains("-")
        else { return true }  // multipart or absent: the size is what can be compared
        let md5 = S3Client.md5Hex(body)
        return etag.lowercased() == md5
    }
}
