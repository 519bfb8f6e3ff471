// The harvest's HTTP: GET with AsyncHTTPClient (redirects followed, gzip accepted, the body
// read up to a limit), for ClearingHouse.harvest.
@_exported import ClearingHouse
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOHTTPCompression
import NIOPosix
import NIOSSL

/// Fetches OAI-PMH responses over HTTP(S) with AsyncHTTPClient, for
/// ``ClearingHouse/ClearingHouse/harvest(_:transport:progress:diagnostics:)``.
///
/// ```swift
/// let transport = HTTPTransport()
/// defer { Task { try await transport.shutdown() } }
/// let report = try await house.harvest(request, transport: transport)
/// ```
///
/// Or let ``ClearingHouse/ClearingHouse/harvest(_:progress:diagnostics:)`` make one and shut it down.
public final class HTTPTransport: OAIHTTPTransport {
    private let client: HTTPClient
    private let connectTimeout: Duration

    /// A transport with its own client (on the shared event loops).
    /// - Parameter connectTimeout: how long to keep trying to connect before a request fails
    ///   (the harvest then retries it with back-off).
    public init(connectTimeout: Duration = .seconds(10)) {
        var configuration = HTTPClient.Configuration()
        // Redirects are followed here, not by the client: a provider's Location is checked
        // first (a port above 65535 made the client trap, from a redirect as from a URL).
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .enabled(limit: .ratio(100))
        configuration.timeout = .init(connect: .nanoseconds(Self.nanoseconds(connectTimeout)))
        // The harvest retries with its own back-off (and says so); the client's retries
        // inside the connect timeout made a refused connection take 10 s an attempt.
        configuration.connectionPool.retryConnectionEstablishment = false
        self.connectTimeout = connectTimeout
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Closes the client's connections; call it once the harvest is over.
    public func shutdown() async throws {
        try await client.shutdown()
    }

    /// GETs `url`, following redirects, reading at most `maximumBytes` of the body within
    /// `timeout` (as ``OAIHTTPTransport`` asks); a redirect cycle is an ``OAITransportFailure``.
    public func get(_ url: String, timeout: Duration, maximumBytes: Int) async throws -> OAIHTTPResponse {
        // (HarvestRequest.validated() keeps timeouts to a day; a caller's own can be anything,
        // and a clock's deadline that far away would overflow.)
        let timeout = min(max(timeout, .zero), Self.longestTimeout)
        // The timeout covers the body too: a provider that sends its headers and then a byte a
        // second would otherwise hold the harvest for as long as it likes.
        return try await withThrowingTaskGroup(of: OAIHTTPResponse?.self) { group in
            group.addTask { try await self.following(url, timeout: timeout, maximumBytes: maximumBytes) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let response = first else {
                throw TransportError(description: "no complete answer within \(Self.seconds(timeout)) s")
            }
            return response
        }
    }

    /// Fetches `url`, following up to 5 redirects to http or https URLs; a redirect that is
    /// not followed (another scheme, no Location, a port outside 1-65535) comes back with its
    /// Location for the harvest to report.
    private func following(_ url: String, timeout: Duration, maximumBytes: Int) async throws -> OAIHTTPResponse {
        var current = url
        var visited: Set<String> = [url]
        for _ in 0...Self.maximumRedirects {
            let response = try await fetch(current, timeout: timeout, maximumBytes: maximumBytes)
            guard let location = response.location, let target = Self.redirectTarget(location, from: current) else { return response }
            guard visited.insert(target).inserted else { throw OAITransportFailure("its redirects go round in a cycle") }
            current = target
        }
        throw OAITransportFailure("more than \(Self.maximumRedirects) redirects in a row")
    }

    /// The most redirects followed in a row.
    static let maximumRedirects = 5

    /// The absolute URL a redirect's `location` names from `url`, when it is one to follow:
    /// http or https, with a host, and a port (if any) from 1 to 65535.
    static func redirectTarget(_ location: String, from url: String) -> String? {
        guard let base = URL(string: url), let target = URL(string: location.trimmingCharacters(in: .whitespaces), relativeTo: base)?.absoluteURL,
            let scheme = target.scheme?.lowercased(), scheme == "http" || scheme == "https", let host = target.host, !host.isEmpty
        else { return nil }
        if let port = URLComponents(url: target, resolvingAgainstBaseURL: false)?.port, !(1...65535).contains(port) { return nil }
        return target.absoluteString
    }

    private func fetch(_ url: String, timeout: Duration, maximumBytes: Int) async throws -> OAIHTTPResponse {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        request.headers.add(name: "User-Agent", value: "chm-harvester/1 (OAI-PMH)")
        request.headers.add(name: "Accept", value: "text/xml, application/xml")
        request.headers.add(name: "Accept-Encoding", value: "gzip, deflate")
        do {
            let response = try await client.execute(request, timeout: .nanoseconds(Self.nanoseconds(timeout)))
            let body = try await response.body.collect(upTo: maximumBytes)
            // (A redirect is followed when its target is http or https; one that comes back
            // was not, and its Location says why.)
            let status = Int(response.status.code)
            return OAIHTTPResponse(
                status: status, retryAfter: response.headers.first(name: "Retry-After"), body: Array(buffer: body),
                location: [301, 302, 303, 307, 308].contains(status) ? response.headers.first(name: "Location") : nil)
        } catch let error as IOError {
            throw TransportError(description: Self.reason(errno: error.errnoCode))
        } catch let error as NIOConnectionError {
            // (Every address of the host was tried: `connection reset (error set): ...` with
            // each attempt's error nested, as an operations QA saw it, said the first.)
            let codes = error.connectionErrors.compactMap { ($0.error as? IOError)?.errnoCode }
            throw TransportError(description: codes.first.map(Self.reason(errno:)) ?? "cannot connect to \(error.host):\(error.port)")
        } catch let error as HTTPClientError where error == .remoteConnectionClosed {
            throw TransportError(description: "the provider closed the connection before it answered")
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw TransportError(description: "no answer within \(Self.seconds(timeout)) s")
        } catch let error as HTTPClientError where error == .connectTimeout {
            throw TransportError(description: "no connection within \(Self.seconds(connectTimeout)) s")
        } catch let error as HTTPClientError where error == .redirectCycleDetected {
            throw OAITransportFailure("its redirects go round in a cycle")
        } catch let error as HTTPClientError where error == .redirectLimitReached {
            throw OAITransportFailure("more than 5 redirects in a row")
        } catch NIOSSLError.handshakeFailed(let failure) {
            throw Self.handshakeFailure(failure, url: url)
        } catch let error as NIOSSLExtraError where error == .failedToValidateHostname {
            throw OAITransportFailure("its TLS certificate is not for \(URL(string: url)?.host ?? url)")
        } catch is NIOTooManyBytesError {
            throw OAITransportFailure("the response is larger than \(maximumBytes) bytes")
        } catch let error as NIOHTTPDecompression.DecompressionError {
            throw OAITransportFailure(
                error == .limit
                    ? "the compressed response expands more than 100 times (a decompression bomb?)"
                    : "the compressed response cannot be decompressed (corrupt data)")
        } catch is NIOHTTPDecompression.ExtraDecompressionError {
            throw OAITransportFailure("the compressed response cannot be decompressed (cut short, or data after its end)")
        }
    }

    /// What a failed TLS handshake means, in a few words. A certificate that cannot be
    /// verified, or a port that does not speak TLS, stays so however often the harvest asks
    /// (an ``OAITransportFailure``); a connection closed during the handshake may not (a
    /// ``TransportError``, retried).
    static func handshakeFailure(_ failure: BoringSSLError, url: String) -> any Error {
        let stack: [BoringSSLInternalError]
        switch failure {
        case .sslError(let errors), .unknownError(let errors), .invalidSNIName(let errors), .failedToSetALPN(let errors):
            stack = errors
        default:
            stack = []
        }
        let reasons = stack.compactMap { reason(of: $0.description) }
        if reasons.contains("CERTIFICATE_VERIFY_FAILED") {
            return OAITransportFailure(
                "its TLS certificate cannot be verified (expired, self-signed, or from an authority this machine does not trust)")
        }
        if reasons.contains("WRONG_VERSION_NUMBER") {
            return OAITransportFailure("it does not speak TLS at this address (an http:// URL?)")
        }
        if !Set(reasons).isDisjoint(with: refusedCertificateReasons) {
            return OAITransportFailure(
                "the provider refused the TLS handshake over a certificate (\(reasons.joined(separator: ", "))); it may require a client certificate")
        }
        if !Set(reasons).isDisjoint(with: permanentHandshakeReasons) {
            return OAITransportFailure("the TLS handshake failed (\(reasons.joined(separator: ", "))); the provider and chm may share no protocol version or cipher")
        }
        if stack.isEmpty || stack.contains(.eofDuringHandshake) {
            return TransportError(description: "the connection closed during the TLS handshake")
        }
        // Anything else (an alert from a server under load, say) may pass: retried.
        return TransportError(description: "the TLS handshake failed (\(reasons.isEmpty ? "unknown reason" : reasons.joined(separator: ", ")))")
    }

    /// Alerts a provider sends about a certificate (ours, or the chain it expected).
    static let refusedCertificateReasons: Set<String> = [
        "TLSV1_ALERT_UNKNOWN_CA", "SSLV3_ALERT_BAD_CERTIFICATE", "SSLV3_ALERT_CERTIFICATE_EXPIRED",
        "SSLV3_ALERT_CERTIFICATE_REVOKED", "SSLV3_ALERT_CERTIFICATE_UNKNOWN", "SSLV3_ALERT_UNSUPPORTED_CERTIFICATE",
        "TLSV1_ALERT_CERTIFICATE_REQUIRED", "TLSV1_ALERT_ACCESS_DENIED",
    ]

    /// BoringSSL's reasons for a handshake that no retry can mend besides a certificate: the
    /// two sides have no protocol version or cipher in common.
    static let permanentHandshakeReasons: Set<String> = [
        "UNSUPPORTED_PROTOCOL", "TLSV1_ALERT_PROTOCOL_VERSION", "NO_SHARED_CIPHER", "SSLV3_ALERT_HANDSHAKE_FAILURE",
        "NO_CIPHERS_AVAILABLE", "WRONG_SSL_VERSION",
    ]

    /// The reason of one of BoringSSL's errors (`CERTIFICATE_VERIFY_FAILED` in
    /// `Error: 268435581 error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED at FILE:LINE`).
    static func reason(of description: String) -> String? {
        guard let error = description.range(of: "error:") else { return nil }
        let rest = description[error.upperBound...]
        let text = rest.range(of: " at ").map { rest[..<$0.lowerBound] } ?? rest
        // (A reason has letters: without " at FILE:LINE", the last part may be a line number.)
        guard let last = text.split(separator: ":").last, last.contains(where: \.isUppercase),
            last.allSatisfy({ $0.isUppercase || $0.isNumber || $0 == "_" })
        else { return nil }
        return String(last)
    }

    /// The longest timeout a request is given: 2^31 seconds (about 68 years), well inside what
    /// a clock's deadline and NIO's `TimeAmount` (nanoseconds in an Int64) hold.
    static let longestTimeout: Duration = .seconds(1 << 31)

    /// `duration` in nanoseconds, for NIO's `TimeAmount`: saturating at `Int64.max` and at zero,
    /// so no duration (a `--timeout 9223372037`) overflows.
    static func nanoseconds(_ duration: Duration) -> Int64 {
        guard duration > .zero else { return 0 }
        let (seconds, attoseconds) = duration.components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (total, carry) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflow || carry ? .max : total
    }

    /// `duration` in seconds as a reader writes them (`5`, `0.3`).
    static func seconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        return String(format: value == value.rounded() ? "%.0f" : "%.1f", value)
    }

    /// A system error in a few words (`connection refused`).
    static func reason(errno code: Int32) -> String {
        code == ECONNREFUSED ? "connection refused" : String(cString: strerror(code)).lowercased()
    }

    /// Why a request failed, in a few words (`connection refused`).
    struct TransportError: Error, CustomStringConvertible {
        var description: String
    }
}

extension ClearingHouse {
    /// Harvests over HTTP: ``harvest(_:transport:progress:diagnostics:)`` with an
    /// ``HTTPTransport`` made for it and shut down after it.
    public func harvest(
        _ request: HarvestRequest, progress: ((HarvestProgress) -> Void)? = nil, diagnostics: ((Diagnostic) -> Void)? = nil
    ) async throws -> HarvestReport {
        let transport = HTTPTransport()
        do {
            let report = try await harvest(request, transport: transport, progress: progress, diagnostics: diagnostics)
            try await transport.shutdown()
            return report
        } catch {
            try? await transport.shutdown()
            throw error
        }
    }
}
