import Foundation

/// The stages of `AWSClient.send`, in order: `route` once per call; per attempt `signedRequest`,
/// `transmit` and `decide`, which hands an error answer to `correctClockSkew`,
/// `refreshCredentials` and `backoff` in turn. None of them knows a particular service.
extension AWSClient {
    /// Where a call goes and who signs it.
    struct Route {
        let url: URL
        let signer: SigV4Signer
    }

    /// The state of one call across its attempts: counters, the retry cost to give back, deadlines.
    struct CallAttempts {
        let maxAttempts: Int
        let attemptTimeout: TimeInterval
        /// The whole call's deadline, in seconds since `started` (plus the body's upload time).
        let deadline: TimeInterval
        let started = DispatchTime.now()
        var attempt = 1
        var skewCorrections = 0
        var refreshedCredentials = false
        var lastRetryCost: Int?

        init(call: AWSRequest, options: AWSClientOptions) {
            maxAttempts = options.retry.attempts(for: call.idempotency)
            attemptTimeout = options.attemptTimeout(bodyBytes: call.body.count)
            deadline = options.callDeadline + (attemptTimeout - options.timeout)
        }

        var elapsed: TimeInterval { Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9 }
        var canTryAgain: Bool { attempt < maxAttempts }
    }

    /// What an attempt brought back.
    enum Outcome {
        case response(HTTPResponse, milliseconds: Int)
        case transportFailure(TransportError)
    }

    enum Decision {
        case done(HTTPResponse)
        case again
    }

    /// Stage 1: the endpoint, the URL (with the request's host prefix) and the signer.
    func route(_ call: AWSRequest) throws -> Route {
        let endpoint = try endpoints.endpoint(for: call.service, region: region)
        return Route(url: try Self.url(for: call, endpoint: endpoint),
                     signer: SigV4Signer(service: call.service.signingName, region: endpoint.signingRegion,
                                         keyCache: keyCache))
    }

    /// Stage 2: credentials resolved (cached by the provider) and the request signed at the
    /// corrected time; logged with its secrets redacted.
    func signedRequest(_ call: AWSRequest, _ route: Route, _ attempts: CallAttempts) async throws -> HTTPRequest {
        let creds = try await credentials.credentials()
        var request = HTTPRequest(method: call.method, url: route.url, headers: call.headers, body: call.body,
                                  idempotency: call.idempotency)
        route.signer.sign(&request, credentials: creds, date: now,
                          payloadHash: call.payloadSigning == .unsigned ? SigV4Signer.unsignedPayload : nil,
                          addContentHashHeader: call.payloadSigning != .hashed)
        log("→ \(call.service) \(call.operation) \(request.method) \(route.url.redactedForLog) "
            + "(\(call.idempotency == .safe ? "read" : "mutation"), attempt \(attempts.attempt)/\(attempts.maxAttempts)) "
            + Redaction.headers(request.headers) + " body=\(request.body.count)B")
        return request
    }

    /// Stage 3: sent within the attempt's deadline and what is left of the call's.
    func transmit(_ request: HTTPRequest, _ call: AWSRequest, _ attempts: CallAttempts) async throws -> Outcome {
        let remaining = attempts.deadline - attempts.elapsed
        guard remaining > 0 else {
            throw AWSClientError.transport(service: call.service.name, operation: call.operation,
                                           attempts: attempts.attempt - 1,
                                           underlying: "no answer within the call's deadline of \(Int(attempts.deadline)) s")
        }
        let started = DispatchTime.now()
        do {
            let response = try await transport.send(request, timeout: min(attempts.attemptTimeout, remaining))
            return .response(response, milliseconds: Int(Double(DispatchTime.now().uptimeNanoseconds
                                                                 - started.uptimeNanoseconds) / 1e6))
        } catch let error as TransportError {
            return .transportFailure(error)
        }
    }

    /// Stage 4: classifies the outcome and decides: done, again, or an error.
    func decide(_ outcome: Outcome, _ call: AWSRequest, _ attempts: inout CallAttempts) async throws -> Decision {
        switch outcome {
        case .transportFailure(let error):
            return try await afterTransportFailure(error, call, &attempts)
        case let .response(response, ms):
            let requestID = response.headers["x-amzn-RequestId"] ?? response.headers["x-amz-request-id"] ?? "-"
            log("← \(call.service) \(call.operation) HTTP \(response.statusCode) \(ms) ms request-id=\(requestID)")
            if (200..<300).contains(response.statusCode) || call.acceptedErrorStatuses.contains(response.statusCode) {
                if options.retry.usesQuota { retryQuota.release(retryCost: attempts.lastRetryCost) }
                return .done(response)
            }
            let error = AWSError.parse(response, service: call.service, operation: call.operation)
            if try correctClockSkew(after: error, response, call, &attempts) { return .again }
            if await refreshCredentials(after: error, &attempts) { return .again }
            if RetryPolicy.isRetryable(error),
               try await backoff(call, &attempts, timeout: false, reason: "\(error.code) (HTTP \(response.statusCode))") {
                return .again
            }
            throw error
        }
    }

    /// A transport failure: a mutation that may have been sent is ambiguous and never resent;
    /// anything else is retried while the policy, the quota and the deadline allow.
    func afterTransportFailure(_ error: TransportError, _ call: AWSRequest,
                                       _ attempts: inout CallAttempts) async throws -> Decision {
        log("✗ \(call.service) \(call.operation): \(error.message) [\(error.delivery == .notSent ? "not sent" : "maybe sent")]")
        if Task.isCancelled { throw CancellationError() }
        if call.idempotency == .mutation, error.delivery == .maybeSent {
            // the server may have acted: sending it again blindly could apply it twice
            throw AWSClientError.ambiguous(service: call.service.name, operation: call.operation, underlying: error.message)
        }
        if error.isRetryable, try await backoff(call, &attempts, timeout: error.isTimeout, reason: error.message) {
            return .again
        }
        throw AWSClientError.transport(service: call.service.name, operation: call.operation,
                                       attempts: attempts.attempt, underlying: error.message)
    }

    /// A clock-skew error with a believable server `Date`: the offset corrected and the call
    /// signed again (at most twice); a `Date` a day or more away is an error.
    func correctClockSkew(after error: AWSError, _ response: HTTPResponse, _ call: AWSRequest,
                                  _ attempts: inout CallAttempts) throws -> Bool {
        guard RetryPolicy.isClockSkewError(error), attempts.skewCorrections < 2, attempts.canTryAgain else { return false }
        switch ClockSkew.correction(serverDate: response.headers["Date"].flatMap(AWSDate.parseHTTPDate),
                                    localNow: options.now(), currentOffset: skew.offset) {
        case .adjust(let offset):
            skew.offset = offset
            log("clock skew: server time differs by \(Int(offset)) s; re-signing")
            attempts.skewCorrections += 1
            attempts.attempt += 1
            return true
        case .tooLarge(let offset):
            throw AWSClientError.clockSkew(service: call.service.name, operation: call.operation,
                                           offsetSeconds: offset, underlying: error.description)
        case .none:
            return false
        }
    }

    /// Expired temporary credentials: resolved again, once per call.
    func refreshCredentials(after error: AWSError, _ attempts: inout CallAttempts) async -> Bool {
        guard RetryPolicy.expiredCredentialCodes.contains(error.code), !attempts.refreshedCredentials,
              attempts.canTryAgain else { return false }
        log("credentials expired (\(error.code)); resolving them again")
        await credentials.invalidate()
        attempts.refreshedCredentials = true
        attempts.attempt += 1
        return true
    }

    /// Waits before the next attempt when the attempts, the retry quota and the call's deadline
    /// allow; false otherwise.
    func backoff(_ call: AWSRequest, _ attempts: inout CallAttempts, timeout: Bool, reason: String) async throws
        -> Bool {
        let policy = options.retry
        guard attempts.canTryAgain else { return false }
        var cost: Int?
        if policy.usesQuota {
            guard let taken = retryQuota.acquire(timeout: timeout) else {
                log("retry quota exhausted (\(retryQuota.available) tokens left): not retrying \(reason)")
                return false
            }
            cost = taken
        }
        let delay = policy.delay(beforeRetry: attempts.attempt)
        guard attempts.elapsed + delay < attempts.deadline else {
            if let cost { retryQuota.release(retryCost: cost) }
            log("call deadline of \(Int(attempts.deadline)) s reached: not retrying \(reason)")
            return false
        }
        log("retrying \(call.service) \(call.operation) in \(String(format: "%.2f", delay)) s: \(reason)")
        try await policy.sleep(delay)
        attempts.lastRetryCost = cost
        attempts.attempt += 1
        return true
    }
}
