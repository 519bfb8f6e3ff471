import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Crash safety, damage detection and the single-writer lock, with the built binary.
@Suite("Reliability")
struct ReliabilityTests {
    /// Files of records; file `f` holds ids `f<F>-<N>`.
    func writeFiles(_ directory: TemporaryDirectory, files: Int, records: Int) throws -> [String: Set<String>] {
        var ids: [String: Set<String>] = [:]
        for file in 0..<files {
            var lines: [String] = []
            var fileIDs = Set<String>()
            for index in 0..<records {
                let id = "f\(file)-\(index)"
                fileIDs.insert(id)
                lines.append(#"{"id": "\#(id)", "kind": "technology", "title": "Record \#(index) of file \#(file) about wetland \#(index % 37)", "summary": "Text number \#(index) for crash testing with some words."}"#)
            }
            let name = String(format: "in/%02d.jsonl", file)
            try directory.write(name, lines.joined(separator: "\n"))
            ids[name] = fileIDs
        }
        return ids
    }

    func exportedIDs(_ index: String) throws -> Set<String> {
        let export = try CLI.run(["export", "--index", index])
        return Set(export.stdout.split(separator: "\n").compactMap { line in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["id"] as? String
        })
    }

    /// `chm ingest` killed with SIGKILL at random moments: every time, the index opens, `chm
    /// check` passes, each file is stored wholly or not at all, and the next ingest completes
    /// with catalog and index in agreement.
    @Test(.timeLimit(.minutes(5))) func killedIngestsLeaveTheLastCommitReadable() throws {
        let directory = try TemporaryDirectory()
        let files = try writeFiles(directory, files: 10, records: 300)
        let index = directory.path("index")
        var random = SystemRandomNumberGenerator()
        let kills = ProcessInfo.processInfo.environment["CHM_CRASH_KILLS"].flatMap(Int.init) ?? 6
        for _ in 0..<kills {
            let process = Process()
            process.executableURL = CLI.executable
            process.arguments = ["ingest", directory.path("in"), "--index", index, "--quiet"]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 10_000...700_000, using: &random))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()

            let check = try CLI.run(["check", "--index", index, "--json"])
            if FileManager.default.fileExists(atPath: directory.path("index/catalog.sqlite")) {
                #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
                let stored = try exportedIDs(index)
                for (name, ids) in files {
                    let present = ids.intersection(stored).count
                    #expect(present == 0 || present == ids.count, "\(name): \(present) of \(ids.count) stored")
                }
            }
        }
        let finish = try CLI.run(["ingest", directory.path("in"), "--index", index, "--json"])
        #expect(finish.status == 0, "\(finish.stderr)")
        let report = try CLI.json(try CLI.run(["check", "--index", index, "--json"]).stdout)
        #expect(report["ok"] as? Bool == true)
        #expect(report["records"] as? Int == 3000)
        #expect(report["documents"] as? Int == 3000)
        #expect(report["indexChange"] as? Int == report["catalogChange"] as? Int)
        let search = try CLI.json(try CLI.run(["search", "wetland", "--index", index, "--json", "--count"]).stdout)
        #expect(search["total"] as? Int == 3000)
    }

    @Test func checkFindsADamagedSegmentAndRepairRebuildsIt() throws {
        let directory = try TemporaryDirectory()
        _ = try writeFiles(directory, files: 1, records: 200)
        let index = directory.path("index")
        #expect(try CLI.run(["ingest", directory.path("in"), "--index", index]).status == 0)
        #expect(try CLI.run(["check", "--index", index]).status == 0)
        let segments = directory.url.appendingPathComponent("index/segments")
        let segment = try #require(
            try FileManager.default.contentsOfDirectory(atPath: segments.path).first { $0.hasSuffix(".seg") })
        let path = segments.appendingPathComponent(segment).path
        var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        bytes[bytes.count / 2] ^= 0x5A  // somewhere in the postings
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let damaged = try CLI.run(["check", "--index", index])
        #expect(damaged.status == 1)
        #expect(damaged.stderr.contains("checksum mismatch"))
        #expect(try CLI.run(["check", "--index", index, "--repair"]).status == 0)
        #expect(try CLI.run(["check", "--index", index]).status == 0)
    }

    @Test func aSecondWriterFailsAtOnceNamingTheHolder() throws {
        let directory = try TemporaryDirectory()
        _ = try writeFiles(directory, files: 1, records: 10)
        let index = directory.path("index")
        #expect(try CLI.run(["ingest", directory.path("in"), "--index", index]).status == 0)
        // This test process takes the write lock, as another chm process would.
        let lock = open(directory.path("index/segments/write.lock"), O_RDWR | O_CREAT, 0o644)
        #expect(lock >= 0)
        defer { close(lock) }
        #expect(flock(lock, LOCK_EX | LOCK_NB) == 0)
        _ = ftruncate(lock, 0)
        _ = "\(getpid())\n".withCString { pwrite(lock, $0, strlen($0), 0) }
        let second = try CLI.run(["ingest", directory.path("in"), "--index", index])
        #expect(second.status == 1)
        #expect(second.stderr.contains("pid \(getpid())"))
        // Readers are not blocked.
        #expect(try CLI.run(["search", "wetland", "--index", index]).status == 0)
    }

    /// Searches in a loop while another process ingests, flushes, merges and deletes old
    /// segment files: every search opens a complete commit and succeeds.
    @Test(.timeLimit(.minutes(3))) func readersSeeWholeCommitsWhileAWriterWorks() throws {
        let directory = try TemporaryDirectory()
        _ = try writeFiles(directory, files: 6, records: 500)
        let index = directory.path("index")
        // A first commit, so that readers have an index to open.
        let seed = try directory.write("seed.jsonl", #"{"id": "seed", "kind": "resource", "title": "Seed record"}"#)
        #expect(try CLI.run(["ingest", seed, "--index", index]).status == 0)
        let writer = Process()
        writer.executableURL = CLI.executable
        writer.arguments = ["ingest", directory.path("in"), "--index", index, "--quiet"]
        var environment = ProcessInfo.processInfo.environment
        environment["CHM_INDEX_BUFFER_MB"] = "1"  // many small segments, and merges
        writer.environment = environment
        writer.standardOutput = FileHandle.nullDevice
        writer.standardError = FileHandle.nullDevice
        try writer.run()
        var seen = Set<Int>()
        while writer.isRunning || seen.isEmpty {
            let result = try CLI.run(["search", "wetland", "--index", index, "--json", "--count", "--limit", "1"])
            #expect(result.status == 0, "\(result.stderr)")
            if let total = try? CLI.json(result.stdout)["total"] as? Int {
                seen.insert(total)
                #expect(total >= 0 && total <= 3000)
            }
            if !writer.isRunning { break }
        }
        writer.waitUntilExit()
        #expect(writer.terminationStatus == 0)
        let final = try CLI.json(try CLI.run(["search", "wetland", "--index", index, "--json", "--count"]).stdout)
        #expect(final["total"] as? Int == 3000)
        #expect(try CLI.run(["check", "--index", index]).status == 0)
    }
}
