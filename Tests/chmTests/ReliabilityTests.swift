import ClearingHouse
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

    /// Ingests `directory/in` again and checks that catalog and index hold `records`, in
    /// agreement.
    func finishIngestAndCheck(_ directory: TemporaryDirectory, _ index: String, records: Int) throws {
        let finish = try CLI.run(["ingest", directory.path("in"), "--index", index, "--json"])
        #expect(finish.status == 0, "\(finish.stderr)")
        let report = try CLI.json(try CLI.run(["check", "--index", index, "--json"]).stdout)
        #expect(report["ok"] as? Bool == true)
        #expect(report["records"] as? Int == records)
        #expect(report["documents"] as? Int == records)
        #expect(report["indexChange"] as? Int == report["catalogChange"] as? Int)
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
        try finishIngestAndCheck(directory, index, records: 3000)
        let search = try CLI.json(try CLI.run(["search", "wetland", "--index", index, "--json", "--count"]).stdout)
        #expect(search["total"] as? Int == 3000)
    }

    /// A first load runs under a rollback journal (each new page written once); with a page
    /// cache of 1 MB its pages spill into the database file long before the commit. Killed
    /// just before the commit, or just after, the catalog opens as it was (empty, or whole),
    /// `chm check` passes, and the next ingest completes in WAL mode.
    @Test(.timeLimit(.minutes(3)), arguments: ["catalog.before-commit", "catalog.after-commit"])
    func aFirstLoadKilledAroundItsCommitIsAllOrNothing(point: String) throws {
        let directory = try TemporaryDirectory()
        let files = try writeFiles(directory, files: 1, records: 4000)
        let index = directory.path("index")
        let killed = try CLI.run(
            ["ingest", directory.path("in"), "--index", index, "--quiet"],
            environment: ["CHM_TEST_FAULT": "kill@\(point)#1", "CHM_CATALOG_CACHE_MB": "1"])
        #expect(killed.status == SIGKILL, "exit \(killed.status) \(killed.stderr)")
        let catalog = directory.path("index/catalog.sqlite")
        let size = (try FileManager.default.attributesOfItem(atPath: catalog)[.size] as? Int) ?? 0
        if point == "catalog.before-commit" {
            // The spilled pages are in the file; the journal that undoes them is beside it.
            #expect(size > 1_000_000, "\(size) bytes: no page spilled before the commit")
            #expect(FileManager.default.fileExists(atPath: catalog + "-journal"))
        }
        let check = try CLI.run(["check", "--index", index, "--json"])
        #expect(check.status == 0, "\(check.stdout) \(check.stderr)")
        let stored = try exportedIDs(index)
        let expected = point == "catalog.before-commit" ? Set<String>() : files["in/00.jsonl"] ?? []
        #expect(stored == expected, "\(stored.count) of \(expected.count) records after a kill at \(point)")
        #expect(!FileManager.default.fileExists(atPath: catalog + "-journal"))

        try finishIngestAndCheck(directory, index, records: 4000)
        let header = try FileHandle(forReadingFrom: URL(fileURLWithPath: catalog)).read(upToCount: 20) ?? Data()
        #expect(header.count == 20 && header[18] == 2 && header[19] == 2, "the catalog is not in WAL mode after the load")
    }

    /// `chm ingest` killed at chosen points of its writes (through the fault seam, with
    /// `CHM_TEST_FAULT=kill@POINT#N`): catalog commits (before and after), segment writes and
    /// syncs, deletion files, manifest writes and renames, and merges. A clean pass records
    /// every point that each of 12 ingests reaches (11 files of new records, the tenth commit
    /// merging a size tier, then a file of updates, which writes deletion files); then, for
    /// each chosen point, the index as it was before that ingest is copied, the ingest is
    /// killed there, and: `chm check` passes, every earlier file is wholly present, the
    /// killed file is wholly present or wholly absent, and the next ingest completes with
    /// catalog and index in agreement. `CHM_CRASH_POINTS` sets how many points (12 by
    /// default, at least one of each kind; 50 for the full run).
    @Test(.timeLimit(.minutes(10))) func killedAtChosenWritePointsEveryFileIsAllOrNothing() throws {
        let directory = try TemporaryDirectory()
        let records = 300
        var files: [String] = []
        for file in 0..<11 {
            let lines = (0..<records).map { index in
                #"{"id": "f\#(file)-\#(index)", "kind": "technology", "title": "Record \#(index) of file \#(file) about wetland \#(index % 37)", "summary": "Text number \#(index) for crash testing."}"#
            }
            files.append(try directory.write(String(format: "in/%02d.jsonl", file), lines.joined(separator: "\n")))
        }
        let updates = (0..<records).map { index in
            #"{"id": "f0-\#(index)", "kind": "technology", "title": "Revised record \#(index) about wetland \#(index % 37)", "summary": "Revised text."}"#
        }
        files.append(try directory.write("in/11.jsonl", updates.joined(separator: "\n")))

        // The clean pass: a snapshot of the index before each ingest, and the points reached.
        let index = directory.path("index")
        var events: [(run: Int, point: String, occurrence: Int)] = []
        for (run, file) in files.enumerated() {
            if FileManager.default.fileExists(atPath: index) {
                try FileManager.default.copyItem(atPath: index, toPath: directory.path("snapshot-\(run)"))
            }
            let trace = directory.path("trace-\(run)")
            let result = try CLI.run(["ingest", file, "--index", index, "--quiet"], environment: ["CHM_TEST_FAULT_TRACE": trace])
            #expect(result.status == 0, "\(result.stderr)")
            var seen: [String: Int] = [:]
            for point in try String(contentsOfFile: trace, encoding: .utf8).split(separator: "\n").map(String.init) {
                seen[point, default: 0] += 1
                events.append((run, point, seen[point] ?? 1))
            }
        }
        let kinds = Set(events.map(\.point))
        for required in ["catalog.before-commit", "catalog.after-commit", "flush.write", "flush.sync", "commit.write", "commit.rename", "merge.write"] {
            #expect(kinds.contains(required), "the clean pass never reached \(required): \(kinds.sorted())")
        }

        // One point of each kind, then random others.
        var random = SystemRandomNumberGenerator()
        var chosen = kinds.sorted().compactMap { kind in events.filter { $0.point == kind }.randomElement(using: &random) }
        let wanted = ProcessInfo.processInfo.environment["CHM_CRASH_POINTS"].flatMap(Int.init) ?? 12
        while chosen.count < wanted, let event = events.randomElement(using: &random) { chosen.append(event) }

        for (number, event) in chosen.enumerated() {
            let label = "killed at \(event.point)#\(event.occurrence) of ingest \(event.run)"
            let copy = directory.path("kill-\(number)")
            if event.run > 0 { try FileManager.default.copyItem(atPath: directory.path("snapshot-\(event.run)"), toPath: copy) }
            let killed = try CLI.run(
                ["ingest", files[event.run], "--index", copy, "--quiet"],
                environment: ["CHM_TEST_FAULT": "kill@\(event.point)#\(event.occurrence)"])
            #expect(killed.status == SIGKILL, "\(label): exit \(killed.status) \(killed.stderr)")

            let check = try CLI.run(["check", "--index", copy, "--json"])
            #expect(check.status == 0, "\(label): \(check.stdout) \(check.stderr)")
            let export = try CLI.run(["export", "--index", copy])
            var titles: [String: String] = [:]
            for line in export.stdout.split(separator: "\n") {
                if let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    let id = object["id"] as? String
                {
                    titles[id] = object["title"] as? String ?? ""
                }
            }
            for file in 0..<11 {
                let present = (0..<records).filter { titles["f\(file)-\($0)"] != nil }.count
                if file < event.run || (event.run == 11 && file == 0) {
                    #expect(present == records, "\(label): file \(file) has \(present) of \(records)")
                } else if file == event.run {
                    #expect(present == 0 || present == records, "\(label): file \(file) has \(present) of \(records)")
                } else {
                    #expect(present == 0, "\(label): file \(file) has \(present) records")
                }
            }
            if event.run == 11 {
                let revised = (0..<records).filter { titles["f0-\($0)"]?.hasPrefix("Revised") == true }.count
                #expect(revised == 0 || revised == records, "\(label): \(revised) of \(records) revised")
            }

            let finish = try CLI.run(["ingest", directory.path("in"), "--index", copy, "--quiet"])
            #expect(finish.status == 0, "\(label): \(finish.stderr)")
            let report = try CLI.json(try CLI.run(["check", "--index", copy, "--json"]).stdout)
            #expect(report["ok"] as? Bool == true, "\(label)")
            #expect(report["records"] as? Int == 11 * records, "\(label)")
            #expect(report["documents"] as? Int == 11 * records, "\(label)")
            #expect(report["indexChange"] as? Int == report["catalogChange"] as? Int, "\(label)")
            let search = try CLI.json(try CLI.run(["search", "revised", "--index", copy, "--json", "--count"]).stdout)
            #expect(search["total"] as? Int == records, "\(label)")
            try? FileManager.default.removeItem(atPath: copy)
        }
    }

    /// A full disk during `chm ingest`, in the catalog or in the index: the command says so
    /// on one line and exits 1; what was committed before stays readable; after space is
    /// freed, the next ingest completes.
    @Test(arguments: [
        "ENOSPC@catalog.before-commit#2", "ENOSPC@catalog.before-commit#3", "ENOSPC@flush.write#2", "ENOSPC@commit.rename#1",
        "EIO@commit.sync#1",
    ])
    func aFullDiskDuringIngestIsReportedAndRecoverable(fault: String) throws {
        let directory = try TemporaryDirectory()
        _ = try writeFiles(directory, files: 3, records: 50)
        let index = directory.path("index")
        let failed = try CLI.run(["ingest", directory.path("in"), "--index", index], environment: ["CHM_TEST_FAULT": fault])
        #expect(failed.status == 1, "\(fault): \(failed.stderr)")
        let problem = failed.stderrLines.filter { $0.contains("error") }
        #expect(problem.count == 1, "\(fault): \(failed.stderr)")
        let expected = fault.hasPrefix("EIO") ? "Input/output error" : "No space left on device"
        #expect(problem.first?.contains(expected) == true, "\(fault): \(failed.stderr)")

        let check = try CLI.run(["check", "--index", index, "--json"])
        #expect(check.status == 0, "\(fault): \(check.stdout) \(check.stderr)")
        // (Operations QA: a segment file left half written held the space the error asks to
        // free, until the next commit.)
        let segments = URL(fileURLWithPath: index).appendingPathComponent("segments")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: segments.path)) ?? []
        let named = files.filter { $0.hasPrefix("manifest-") }.sorted { a, b in
            a.count != b.count ? a.count < b.count : a < b
        }.last.flatMap { try? String(contentsOf: segments.appendingPathComponent($0), encoding: .utf8) } ?? ""
        for file in files where fault.contains("flush.write") && (file.hasSuffix(".seg") || file.hasSuffix(".tmp")) {
            let name = file.split(separator: ".").first.map(String.init) ?? file
            #expect(named.contains("\"\(name)\""), "\(fault): \(file) is left in segments/ but no commit names it")
        }
        let stored = try exportedIDs(index)
        if fault.contains("catalog") {
            // The files before the failing one were committed, the rest not reached. (The
            // third is the last: its index segment was being written while the catalog
            // committed, and must be finished before the write lock is let go.)
            let failing = Int(fault.split(separator: "#").last ?? "") ?? 1
            #expect(stored.count == 50 * (failing - 1), "\(fault)")
        } else {
            // The catalog holds every file; the index is behind until the next write, and
            // the error says so (QA: "the last commit is intact" alone read as nothing stored).
            #expect(stored.count == 150, "\(fault)")
            #expect(problem.first?.contains("this run's changes are stored in the catalog") == true, "\(fault): \(failed.stderr)")
        }
        let finish = try CLI.run(["ingest", directory.path("in"), "--index", index])
        #expect(finish.status == 0, "\(fault): \(finish.stderr)")
        let report = try CLI.json(try CLI.run(["check", "--index", index, "--json"]).stdout)
        #expect(report["ok"] as? Bool == true)
        #expect(report["documents"] as? Int == 150)
        #expect(report["indexChange"] as? Int == report["catalogChange"] as? Int)
    }

    /// A full disk after the records' last commit, when only the run's log row is left to
    /// write: the records are stored and indexed, and the command says so (a warning, exit 0),
    /// not that the ingest failed.
    @Test func aFullDiskAfterTheLastCommitIsAWarning() throws {
        let directory = try TemporaryDirectory()
        _ = try writeFiles(directory, files: 2, records: 20)
        let index = directory.path("index")
        let result = try CLI.run(["ingest", directory.path("in"), "--index", index], environment: ["CHM_TEST_FAULT": "ENOSPC@catalog.write#1"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("40 added"), "\(result.stdout)")
        #expect(result.stderr.contains("warning: the records are stored") && result.stderr.contains("No space left on device"), "\(result.stderr)")
        let report = try CLI.json(try CLI.run(["check", "--index", index, "--json"]).stdout)
        #expect(report["documents"] as? Int == 40)
        #expect(report["indexChange"] as? Int == report["catalogChange"] as? Int)
    }

    /// QA: a newest commit overwritten with garbage was passed over without a word (searches
    /// answered from the commit before), a removed index was "ok", and `--repair` never said
    /// what it repaired.
    @Test func checkNamesAnUnreadableCommitAndAMissingIndexAndSaysWhatItRepaired() throws {
        let (directory, index) = try ingestedIndex(records: 50)
        let segments = directory.url.appendingPathComponent("index/segments")
        let manifests = try FileManager.default.contentsOfDirectory(atPath: segments.path).filter { $0.hasPrefix("manifest-") }.sorted()
        #expect(manifests.count == 2, "\(manifests)")
        let newest = try #require(manifests.last)
        try Data("{ not a manifest".utf8).write(to: segments.appendingPathComponent(newest))
        let damaged = try CLI.run(["check", "--index", index])
        #expect(damaged.status == 1)
        #expect(damaged.stderr.contains("the commit \(newest) cannot be read"), "\(damaged.stderr)")
        // (QA: it also said a write had committed while it ran; none had. The commit before
        // is compared with the catalog instead.)
        #expect(!(damaged.stdout + damaged.stderr).contains("a write committed while the check ran"), "\(damaged.stdout)")
        #expect(damaged.stdout.contains("index: 50 documents, at change #50"), "\(damaged.stdout)")
        let repaired = try CLI.run(["check", "--index", index, "--repair", "--json"])
        #expect(repaired.status == 0, "\(repaired.stderr)")
        let report = try CLI.json(repaired.stdout)
        #expect((report["repaired"] as? [String])?.contains { $0.contains("cannot be read") } == true, "\(repaired.stdout)")
        #expect(try CLI.json(try CLI.run(["check", "--index", index, "--json"]).stdout)["repaired"] == nil)
        // Review: with both kept commits unreadable, the rebuild was numbered below them, and
        // the clean-up (which keeps the two highest numbers) deleted it.
        for name in try FileManager.default.contentsOfDirectory(atPath: segments.path) where name.hasPrefix("manifest-") {
            try Data("{ not a manifest".utf8).write(to: segments.appendingPathComponent(name))
        }
        #expect(try CLI.run(["check", "--index", index]).status == 1)
        let rebuilt = try CLI.run(["check", "--index", index, "--repair"])
        #expect(rebuilt.status == 0, "\(rebuilt.stdout) \(rebuilt.stderr)")
        #expect(try CLI.run(["check", "--index", index]).status == 0)
        #expect(try CLI.run(["search", "wetland", "--index", index]).stdout.contains("f0-"))

        // A catalog that cannot be opened is a check's problem, in its JSON too.
        // (Its write-ahead log set aside too: a page 1 there would be read instead of the file's.)
        let catalogPath = directory.path("index/catalog.sqlite")
        let saved = directory.path("saved")
        try FileManager.default.createDirectory(atPath: saved, withIntermediateDirectories: true)
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: catalogPath + suffix) {
            try FileManager.default.moveItem(atPath: catalogPath + suffix, toPath: saved + "/catalog.sqlite" + suffix)
        }
        let original = try Data(contentsOf: URL(fileURLWithPath: saved + "/catalog.sqlite"))
        try (Data("not a database!!".utf8) + original.dropFirst(16)).write(to: URL(fileURLWithPath: catalogPath))
        let unopened = try CLI.run(["check", "--index", index, "--json"])
        #expect(unopened.status == 1)
        #expect(try CLI.json(unopened.stdout)["ok"] as? Bool == false, "\(unopened.stdout) \(unopened.stderr)")
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: catalogPath + suffix)
            if FileManager.default.fileExists(atPath: saved + "/catalog.sqlite" + suffix) {
                try FileManager.default.moveItem(atPath: saved + "/catalog.sqlite" + suffix, toPath: catalogPath + suffix)
            }
        }

        try FileManager.default.removeItem(at: segments)
        let missing = try CLI.run(["check", "--index", index])
        #expect(missing.stdout.contains("no commit yet"), "\(missing.stdout)")
        let text = try CLI.run(["check", "--index", index, "--repair"])
        #expect(text.status == 0 && text.stdout.hasPrefix("repaired: rebuilt the index from the catalog; it had 1 finding:"), "\(text.stdout)")
        #expect(try CLI.run(["search", "wetland", "--index", index]).stdout.contains("f0-"))
    }

    /// Review: a thesaurus import into an index that an older chm built (its writer empties
    /// it, to be rebuilt) left segments/ empty, and searches found nothing until the next write.
    @Test func aThesaurusImportCatchesTheIndexUpAsEveryWriterDoes() throws {
        let (directory, index) = try ingestedIndex(records: 20)
        let segments = directory.url.appendingPathComponent("index/segments")
        for name in try FileManager.default.contentsOfDirectory(atPath: segments.path) where name.hasPrefix("manifest-") {
            let url = segments.appendingPathComponent(name)
            var manifest = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            manifest["schema"] = "fields of an older chm"
            try JSONSerialization.data(withJSONObject: manifest).write(to: url)
        }
        let thesaurus = CLI.packageRoot.appendingPathComponent("Corpus/thesaurus").path
        let imported = try CLI.run(["thesaurus", "import", thesaurus, "--index", index])
        #expect(imported.status == 0, "\(imported.stderr)")
        let search = try CLI.run(["search", "wetland", "--index", index])
        #expect(search.stdout.contains("f0-") && !search.stderr.contains("behind the catalog"), "\(search.stdout) \(search.stderr)")
    }

    @Test func checkFindsADamagedSegmentAndRepairRebuildsIt() throws {
        let (directory, index) = try ingestedIndex(records: 200)
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

        // A segment file gone (QA: repair, reindex and ingest all failed on "cannot open"
        // until files were deleted by hand), and a temporary file a killed writer left.
        let current = try #require(
            try FileManager.default.contentsOfDirectory(atPath: segments.path).first { $0.hasSuffix(".seg") })
        try FileManager.default.removeItem(at: segments.appendingPathComponent(current))
        try Data("left by a killed writer".utf8).write(to: segments.appendingPathComponent("seg-9.seg.terms.tmp"))
        let missing = try CLI.run(["check", "--index", index])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("which is missing"), "\(missing.stderr)")
        let ingest = try CLI.run(["ingest", directory.path("in"), "--index", index])
        #expect(ingest.status != 0 && ingest.stderr.contains("chm check --repair"), "\(ingest.stderr)")
        #expect(try CLI.run(["check", "--index", index, "--repair"]).status == 0)
        let repaired = try CLI.json(try CLI.run(["check", "--index", index, "--json"]).stdout)
        #expect(repaired["documents"] as? Int == 200)
        #expect(!(try FileManager.default.contentsOfDirectory(atPath: segments.path)).contains { $0.hasSuffix(".tmp") })
    }

    @Test func aSecondWriterFailsAtOnceNamingTheHolder() throws {
        let (directory, index, lock) = try lockedIndex()
        defer { close(lock) }
        let second = try CLI.run(["ingest", directory.path("in"), "--index", index])
        #expect(second.status == 1)
        #expect(second.stderr.contains("pid \(getpid())"))
        // Readers are not blocked.
        #expect(try CLI.run(["search", "wetland", "--index", index]).status == 0)
    }

    /// An index of `records` records (one file, `in/`), ingested by `chm ingest`, in a new
    /// temporary directory.
    private func ingestedIndex(records: Int) throws -> (directory: TemporaryDirectory, index: String) {
        let directory = try TemporaryDirectory()
        _ = try writeFiles(directory, files: 1, records: records)
        let index = directory.path("index")
        #expect(try CLI.run(["ingest", directory.path("in"), "--index", index]).status == 0)
        return (directory, index)
    }

    /// An index of 10 records whose write lock this test process holds, as another chm process
    /// would (its pid in the file); `lock` is the descriptor, to close.
    private func lockedIndex() throws -> (directory: TemporaryDirectory, index: String, lock: Int32) {
        let (directory, index) = try ingestedIndex(records: 10)
        let lock = open(index + "/segments/write.lock", O_RDWR | O_CREAT, 0o644)
        try #require(lock >= 0)
        try #require(flock(lock, LOCK_EX | LOCK_NB) == 0)
        _ = ftruncate(lock, 0)
        _ = "\(getpid())\n".withCString { pwrite(lock, $0, strlen($0), 0) }
        return (directory, index, lock)
    }

    /// `--wait SECONDS`: a write waits while another process holds the lock, goes on when it
    /// is let go, and says how long it waited when it is not.
    @Test func aWriterGivenAWaitGoesOnOnceTheLockIsLetGo() throws {
        let (directory, index, lock) = try lockedIndex()
        defer { _ = withExtendedLifetime(directory) { close(lock) } }  // (the directory is removed when let go)
        // Without a wait, the error says how to wait.
        let atOnce = try CLI.run(["delete", "f0-3", "--index", index])
        #expect(atOnce.status == 1 && atOnce.stderr.contains("(or pass --wait SECONDS to wait for it)"), "\(atOnce.stderr)")
        let refused = try CLI.run(["delete", "f0-3", "--index", index, "--wait", "0.2"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("(waited 0.2 s)"), "\(refused.stderr)")
        // (QA: a thesaurus import waited on SQLite for 10 s, then said "database is locked".)
        let thesaurus = CLI.packageRoot.appendingPathComponent("Corpus/thesaurus").path
        let importing = try CLI.run(["thesaurus", "import", thesaurus, "--index", index, "--wait", "0.2"])
        #expect(importing.status == 1 && importing.stderr.contains("is writing the index"), "\(importing.stderr)")
        let invalid = try CLI.run(["delete", "f0-3", "--index", index, "--wait", "-1"])
        // (Refused as a value, not taken for a missing one.)
        #expect(invalid.status == 64 && invalid.stderr.contains("--wait: \"-1.0\" is not a number of seconds"), "\(invalid.stderr)")
        let released = Thread { Thread.sleep(forTimeInterval: 0.5); flock(lock, LOCK_UN) }
        released.start()
        let waited = try CLI.run(["delete", "f0-3", "--index", index, "--wait", "30"])
        #expect(waited.status == 0, "\(waited.stderr)")
        #expect(waited.stdout == "1 deleted\n")
    }

    /// Hostile-client QA: a server answering readiness probes while `chm ingest` wrote to its
    /// index then failed every read with "disk I/O error". The probe read the catalog's header
    /// through a descriptor of its own, and closing it dropped every POSIX lock the process
    /// held on the file: the ingest, ending, took itself for the last connection and deleted
    /// the WAL and the shared memory under the open catalog. The locks now stay.
    @Test func aReadinessProbeKeepsTheCatalogsLocks() throws {
        let directory = try TemporaryDirectory()
        _ = try writeFiles(directory, files: 2, records: 20)
        let index = directory.path("index")
        #expect(try CLI.run(["ingest", directory.path("in/00.jsonl"), "--index", index]).status == 0)
        let house = try ClearingHouse(directory: URL(fileURLWithPath: index))
        #expect(try house.search(SearchRequest(query: "wetland")).hits.count > 0)
        try house.checkSearchable()
        #expect(try CLI.run(["ingest", directory.path("in/01.jsonl"), "--index", index]).status == 0)
        #expect(FileManager.default.fileExists(atPath: index + "/catalog.sqlite-shm"), "the shared memory was deleted under an open catalog")
        try house.checkSearchable()
        #expect(try house.statistics().records == 40)
        #expect(try house.search(SearchRequest(query: "wetland", limit: 100)).hits.count == 40)
        // A catalog replaced or deleted under the open connections is not ready (review: its
        // header was still read through them).
        let catalog = index + "/catalog.sqlite"
        try FileManager.default.copyItem(atPath: catalog, toPath: catalog + ".copy")
        #expect(rename(catalog + ".copy", catalog) == 0)
        #expect(throws: ClearingHouseError.self) { try house.checkSearchable() }
        try FileManager.default.removeItem(atPath: catalog)
        #expect(throws: ClearingHouseError.self) { try house.checkSearchable() }
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
