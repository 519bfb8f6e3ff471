// The single writer of an index: buffers documents in memory, flushes them as immutable
// segments, records deletions as new deletion generations, and commits atomically by
// writing a new manifest. A tiered merge policy keeps the segment count logarithmic.
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// An open segment with its deletions.
final class OpenSegment: @unchecked Sendable {
    // `deletions` is mutated only by the IndexWriter that owns this instance; searchers get
    // their own instances, which are never mutated.
    var entry: Manifest.Segment
    let reader: SegmentReader
    var deletions: DocumentSet
    var deletionsChanged = false

    init(entry: Manifest.Segment, reader: SegmentReader, deletions: DocumentSet) {
        self.entry = entry
        self.reader = reader
        self.deletions = deletions
    }

    var liveCount: Int { reader.documentCount - deletions.count }

    /// Opens the segments of `manifest` in `directory`.
    static func openAll(_ manifest: Manifest, directory: String) throws(IndexError) -> [OpenSegment] {
        var result: [OpenSegment] = []
        for entry in manifest.segments {
            let reader = try SegmentReader(path: (directory as NSString).appendingPathComponent(entry.name + ".seg"), name: entry.name)
            var deletions = DocumentSet(documentCount: reader.documentCount)
            if entry.deletionGeneration > 0 {
                let path = (directory as NSString).appendingPathComponent(
                    DocumentSet.fileName(segment: entry.name, generation: entry.deletionGeneration))
                deletions = try DocumentSet(path: path, documentCount: reader.documentCount)
            }
            result.append(OpenSegment(entry: entry, reader: reader, deletions: deletions))
        }
        return result
    }

    /// Docs of this segment whose key is `key` (normally zero or one).
    func documents(withKey key: String) -> [Int] {
        guard let info = reader.termInfo(field: reader.fields.keyFieldIndex, term: key) else { return [] }
        let iterator = reader.postingsIterator(info)
        var docs: [Int] = []
        while iterator.nextDoc() != PostingsIterator.exhausted { docs.append(iterator.doc) }
        return docs
    }
}

/// Writes to an index directory. Only one writer may hold a directory at a time (an
/// advisory lock on `write.lock`); searchers are never blocked.
///
/// ```swift
/// let writer = try IndexWriter(directory: url, schema: schema)
/// try writer.update(Document(key: "doc-1", text: ["title": ["Mangrove nurseries"]]))
/// try writer.commit()
/// writer.close()
/// ```
///
/// A writer is used from one thread (or task) at a time; it is not `Sendable`. Searches run
/// on ``IndexSearcher``s, from any number of threads. A writer opened on an existing index
/// keeps the BM25 parameters the index was built with (``bm25``); ``deleteAll(bm25:)``
/// changes them.
public final class IndexWriter {
    /// The index's directory.
    public let directory: URL
    /// The schema of the documents the writer adds.
    public let schema: Schema
    /// BM25 parameters recorded in the manifest.
    public private(set) var bm25: BM25Parameters
    /// The parameters a new index gets (what `init` was given).
    private let initialBM25: BM25Parameters
    /// What verifying each segment a merge was to read found, by name: the sections whose
    /// checksums are wrong (empty: sound). Read once per writer; a damaged segment is left
    /// out of later tiered merges (an ingest goes on; `forceMerge` refuses it).
    private var verifiedSegments: [String: [String]] = [:]
    /// Documents held in memory before a segment is flushed (at most 1 GB counts: a field's
    /// buffered postings are addressed with 32-bit offsets).
    public var maximumBufferedBytes = 64 << 20 {
        didSet { maximumBufferedBytes = min(maximumBufferedBytes, Self.largestBuffer) }
    }
    /// The largest ``maximumBufferedBytes``.
    public static let largestBuffer = 1 << 30
    /// Segments of one size tier that trigger a merge.
    public var mergeFactor = 10

    private let path: String
    /// `write.lock` in ``path``.
    private let lockPath: String
    private let fields: FieldTable
    private var lockDescriptor: Int32 = -1
    private var segments: [OpenSegment] = []
    private var buffer: SegmentBuilder
    private var bufferKeys: [DocumentKey: Int] = [:]
    private var bufferDeleted = Set<Int>()
    private var flushed: [OpenSegment] = []  // written since the last commit
    /// A full buffer being written on another thread while documents go to the next one.
    private var runningFlush: RunningFlush?
    /// Why the last flush on another thread failed, until a throwing call reports it.
    private var flushError: IndexError?
    private var generation = 0
    private var nextSegmentNumber = 1
    private var changedSinceCommit = false
    /// The user data of the last commit.
    public private(set) var committedUserData: [String: String] = [:]

    /// Opens (or creates) the index in `directory` for writing.
    /// - Parameter lockWait: how long to wait for another writer (of this process or
    ///   another) to release the directory; zero (the default) fails at once.
    /// - Throws: ``IndexError`` with code `locked` when another writer holds the directory
    ///   for longer than `lockWait`.
    public init(directory: URL, schema: Schema, bm25: BM25Parameters = BM25Parameters(), lockWait: Duration = .zero) throws(IndexError) {
        try schema.validate()
        try bm25.validate()
        self.directory = directory
        self.schema = schema
        self.bm25 = bm25
        initialBM25 = bm25
        path = directory.path
        lockPath = (directory.path as NSString).appendingPathComponent("write.lock")
        fields = FieldTable(schema: schema)
        buffer = SegmentBuilder(fields: fields)
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw IndexError(.io, "cannot create index directory \(path): \(reasonDirectoryCannotBeCreated(path, error))")
        }
        try acquireLock(waiting: lockWait)
        // (The directory is listed once, for the temporary files and the numbers below.)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        // A writer killed mid-write leaves its temporary files; with the lock held, none is
        // being written.
        for name in names where name.hasSuffix(".tmp") {
            try? FileManager.default.removeItem(atPath: (path as NSString).appendingPathComponent(name))
        }
        var newest: Manifest?
        do {
            newest = try Manifest.newest(in: path)
            try newest?.checkOpens(with: schema, directory: path)
            if let newest { segments = try OpenSegment.openAll(newest, directory: path) }
        } catch {
            releaseLock()
            // With the lock held no other writer deletes files: a file the newest commit
            // names that is not there is damage, not a race (a reader retries instead).
            if error.code == .io, let damage = newest?.missingFileError(in: path) { throw damage }
            throw error
        }
        if let manifest = newest {
            generation = manifest.generation
            nextSegmentNumber = manifest.nextSegmentNumber
            committedUserData = manifest.userData
            self.bm25 = manifest.bm25
        }
        // Commits and segments are numbered past every file there, readable or not: a damaged
        // newer manifest would otherwise outrank this writer's commits (readers and the
        // clean-up take the highest numbers), and a rebuild would never be seen.
        for name in names where !name.hasSuffix(".tmp") {
            if name.hasPrefix(Manifest.prefix), name.hasSuffix(Manifest.suffix),
                let number = Int(name.dropFirst(Manifest.prefix.count).dropLast(Manifest.suffix.count))
            {
                generation = max(generation, number)
            } else if name.hasPrefix("seg-"), let number = Int(name.dropFirst(4).prefix { $0.isASCII && $0.isNumber }) {
                nextSegmentNumber = max(nextSegmentNumber, number + 1)
            }
        }
    }

    deinit {
        // The other thread must not write after the lock is released.
        waitForRunningFlush()
        releaseLock()
    }

    private func acquireLock(waiting wait: Duration) throws(IndexError) {
        // (flock has no timeout: the lock is tried again every 50 ms, then every 250 ms.)
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: min(max(wait, .zero), .seconds(366 * 86_400)))
        var pause = Duration.milliseconds(50)
        while true {
            let descriptor = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw IndexError(.io, "cannot open \(lockPath): \(String(cString: strerror(errno)))") }
            var failure: Int32 = 0
            repeat {
                failure = flock(descriptor, LOCK_EX | LOCK_NB) == 0 ? 0 : errno
            } while failure == EINTR
            if failure == 0 {
                // A writer that rebuilds the index deletes the directory, lock file and all,
                // and locks a new file: a lock taken on the old one (let go by then) locks
                // nothing. The file at the path must be the one locked.
                if Self.isSameFile(descriptor, lockPath) {
                    let pid = "\(getpid())\n"
                    _ = ftruncate(descriptor, 0)
                    _ = pid.withCString { pwrite(descriptor, $0, strlen($0), 0) }
                    lockDescriptor = descriptor
                    return
                }
                Glibc.close(descriptor)
                continue
            }
            let now = clock.now
            if failure == EWOULDBLOCK, now < deadline {
                Glibc.close(descriptor)
                let nap = min(pause, now.duration(to: deadline))
                let (seconds, attoseconds) = nap.components
                var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
                _ = nanosleep(&request, nil)
                pause = min(pause * 2, .milliseconds(250))
                continue
            }
            guard failure == EWOULDBLOCK else {
                Glibc.close(descriptor)
                throw IndexError(.io, "cannot lock \(lockPath): \(String(cString: strerror(failure)))")
            }
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(descriptor, &buffer, 32, 0)
            Glibc.close(descriptor)
            let holder = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "?"
            // (A second writer of this very process: another IndexWriter, or another
            // ClearingHouse, open on the same directory.)
            let who = holder == "\(getpid())" ? "another writer of this process (pid \(holder))" : "another process (pid \(holder))"
            let waited = wait > .zero ? " (waited \(Self.seconds(wait)))" : ""
            throw IndexError(.locked, "\(who) is writing the index (its lock is \(lockPath))\(waited); wait for it to finish")
        }
    }

    /// Whether `descriptor` is open on the file now at `path`.
    private static func isSameFile(_ descriptor: Int32, _ path: String) -> Bool {
        var open = stat()
        var named = stat()
        guard fstat(descriptor, &open) == 0, stat(path, &named) == 0 else { return false }
        return open.st_dev == named.st_dev && open.st_ino == named.st_ino
    }

    /// `wait` as people write it: `5 s`, `0.25 s`, `1000.5 s`.
    private static func seconds(_ wait: Duration) -> String {
        let (seconds, attoseconds) = wait.components
        let milliseconds = attoseconds / 1_000_000_000_000_000
        guard milliseconds > 0 else { return "\(seconds) s" }
        var fraction = String(milliseconds)
        fraction = String(repeating: "0", count: 3 - fraction.count) + fraction
        while fraction.hasSuffix("0") { fraction.removeLast() }
        return "\(seconds).\(fraction) s"
    }

    private func releaseLock() {
        guard lockDescriptor >= 0 else { return }
        flock(lockDescriptor, LOCK_UN)
        Glibc.close(lockDescriptor)
        lockDescriptor = -1
    }

    /// Releases the write lock (after waiting for a flush running on another thread);
    /// uncommitted changes are dropped. A closed writer refuses adds, commits, flushes,
    /// merges and rollbacks (``IndexError/Code/invalidArgument``); a deletion it is given is
    /// never committed. Open a new writer to write again.
    public func close() {
        waitForRunningFlush()
        releaseLock()
        isClosed = true
    }

    /// Whether ``close()`` was called.
    public private(set) var isClosed = false

    /// Throws when the writer is closed.
    private func checkOpen() throws(IndexError) {
        if isClosed { throw IndexError(.invalidArgument, "this index writer is closed; open a new one to write to \(path)") }
    }

    // MARK: Changes

    /// Adds a document (without checking that its key is new; see ``update(_:)``).
    /// - Throws: when writing a full buffer failed (the buffer is written on another thread
    ///   while the next one fills, so the error may be an earlier buffer's; its documents are
    ///   lost, and every later call that can throw fails too: open a new writer, the last
    ///   commit is intact).
    /// - Throws: also for a document without a key or with a field the schema lacks
    ///   (``DocumentAnalyzer/check(_:)``): nothing is added.
    public func add(_ document: Document) throws(IndexError) {
        try documentAnalyzer.check(document)
        try add(documentAnalyzer.analyze(document))
    }

    /// Adds a document analyzed beforehand (possibly on another thread) with
    /// ``documentAnalyzer``.
    public func add(_ document: AnalyzedDocument) throws(IndexError) {
        try checkOpen()
        let doc = buffer.addAnalyzed(
            key: document.key, textTokens: document.textTokens, wordForms: document.wordForms, keywords: document.keywords)
        if let previous = bufferKeys.updateValue(doc, forKey: DocumentKey(document.key)) { bufferDeleted.insert(previous) }
        changedSinceCommit = true
        if buffer.estimatedBytes >= maximumBufferedBytes { try flushInBackground() }
    }

    /// Adds documents, analyzing them on all cores first (doc order follows the array).
    /// - Throws: also when a document has no key or a field the schema lacks: then none is added.
    public func add(contentsOf documents: [Document]) throws(IndexError) {
        for document in documents { try documentAnalyzer.check(document) }
        for document in documentAnalyzer.analyze(documents) { try add(document) }
    }

    /// Replaces the document with the same key (or adds it).
    public func update(_ document: Document) throws(IndexError) {
        // (Checked before the delete, so that a refused document leaves the old one.)
        try documentAnalyzer.check(document)
        delete(key: document.key)
        try add(documentAnalyzer.analyze(document))
    }

    /// Replaces the document with the same key (or adds it), analyzed beforehand.
    public func update(_ document: AnalyzedDocument) throws(IndexError) {
        delete(key: document.key)
        try add(document)
    }

    /// Analyzes documents for this index's schema; Sendable, for analysis on other threads.
    public var documentAnalyzer: DocumentAnalyzer { DocumentAnalyzer(schema: schema) }

    /// Deletes the document with `key`, if any.
    public func delete(key: String) {
        // If the buffer being flushed holds it, its segment must be there to mark it in.
        if let running = runningFlush, running.keys[DocumentKey(key)] != nil { waitForRunningFlush() }
        if let doc = bufferKeys.removeValue(forKey: DocumentKey(key)) {
            bufferDeleted.insert(doc)
            changedSinceCommit = true
        }
        for segment in segments + flushed {
            for doc in segment.documents(withKey: key) where segment.deletions.insert(doc) {
                segment.deletionsChanged = true
                changedSinceCommit = true
            }
        }
    }

    /// Deletes every document, as ``deleteAll()``, and gives the index `parameters` from the
    /// next commit on. BM25 parameters are fixed while an index holds documents (they are in
    /// its manifest); a rebuild changes them this way, and the last commit, with the old
    /// parameters and documents, stays readable until the rebuild commits.
    public func deleteAll(bm25 parameters: BM25Parameters) {
        deleteAll()
        bm25 = parameters
    }

    /// Deletes every document.
    public func deleteAll() {
        waitForRunningFlush()
        for segment in segments + flushed {
            for doc in 0..<segment.reader.documentCount where segment.deletions.insert(doc) {
                segment.deletionsChanged = true
            }
        }
        buffer = SegmentBuilder(fields: fields)
        bufferKeys = [:]
        bufferDeleted = []
        changedSinceCommit = true
    }

    /// Drops every change since the last commit, as Lucene's `IndexWriter.rollback` does: the
    /// buffered documents, the segments flushed since (their files are removed), deletions, and
    /// a failed background flush. The writer stays open, at the last commit, and can go on.
    public func rollback() throws(IndexError) {
        try checkOpen()
        waitForRunningFlush()
        flushError = nil
        buffer = SegmentBuilder(fields: fields)
        bufferKeys = [:]
        bufferDeleted = []
        for segment in flushed {
            try? FileManager.default.removeItem(atPath: (path as NSString).appendingPathComponent(segment.entry.name + ".seg"))
        }
        flushed = []
        // Deletions marked in committed segments: read the segments back as committed (and
        // the parameters: a rebuild's ``deleteAll(bm25:)`` is undone too).
        if let manifest = try Manifest.newest(in: path) {
            segments = try OpenSegment.openAll(manifest, directory: path)
            bm25 = manifest.bm25
        } else {
            segments = []
            bm25 = initialBM25
        }
        changedSinceCommit = false
    }

    /// Live documents, counting uncommitted changes (waits for a flush running on another
    /// thread).
    public var documentCount: Int {
        waitForRunningFlush()
        return (segments + flushed).reduce(0) { $0 + $1.liveCount } + buffer.documentCount - bufferDeleted.count
    }

    /// Number of segments (committed and flushed; waits for a flush running on another thread).
    public var segmentCount: Int {
        waitForRunningFlush()
        return segments.count + flushed.count
    }

    // MARK: Flush, commit, merge

    private func newSegmentName() -> String {
        defer { nextSegmentNumber += 1 }
        return "seg-\(nextSegmentNumber)"
    }

    /// Writes a segment file named `name` from `builder`; returns it opened, with `deleted`
    /// docs marked. Touches nothing of the writer's state, so it can run on another thread.
    private static func writeSegment(
        _ builder: SegmentBuilder, deleted: Set<Int>, name: String, directory path: String
    ) throws(IndexError) -> OpenSegment {
        let file = (path as NSString).appendingPathComponent(name + ".seg")
        try builder.build(to: file)
        let reader = try SegmentReader(path: file, name: name)
        var deletions = DocumentSet(documentCount: reader.documentCount)
        for doc in deleted { deletions.insert(doc) }
        let segment = OpenSegment(
            entry: Manifest.Segment(name: name, documentCount: reader.documentCount, deletedCount: 0, deletionGeneration: 0),
            reader: reader, deletions: deletions)
        segment.deletionsChanged = !deleted.isEmpty
        return segment
    }

    /// Writes buffered documents as a new segment (not yet committed).
    public func flush() throws(IndexError) {
        try checkOpen()
        try finishRunningFlush()
        guard let taken = takeBuffer() else { return }
        flushed.append(try Self.writeSegment(taken.builder, deleted: taken.deleted, name: taken.name, directory: path))
    }

    /// The buffer, its deleted docs, its keys and the name of the segment it becomes, replaced
    /// by an empty buffer; nil when there is nothing to write.
    private func takeBuffer() -> (builder: SegmentBuilder, deleted: Set<Int>, keys: [DocumentKey: Int], name: String)? {
        let builder = buffer
        let deleted = bufferDeleted
        let keys = bufferKeys
        buffer = SegmentBuilder(fields: fields)
        bufferKeys = [:]
        bufferDeleted = []
        guard builder.documentCount > 0, deleted.count < builder.documentCount else { return nil }
        FaultInjector.enter(.flush, directory: path)
        return (builder, deleted, keys, newSegmentName())
    }

    /// Writes the full buffer on another thread while the next one fills, the way Lucene
    /// flushes concurrently with indexing: the analysis threads need not wait for the write.
    /// At most one flush runs at a time (memory stays bounded by two buffers); the writer's
    /// other operations wait for it (a deletion only when the flushing buffer holds its key).
    /// A failure is thrown by the next call that can throw, and by every one after it: the
    /// failed buffer's documents are lost, so the writer must not commit without them (open
    /// a new writer; the last commit is intact).
    private func flushInBackground() throws(IndexError) {
        try finishRunningFlush()
        guard let taken = takeBuffer() else { return }
        let running = RunningFlush(builder: taken.builder, keys: taken.keys)
        let (deleted, name, directory) = (taken.deleted, taken.name, path)
        running.group.enter()
        DispatchQueue.global().async {
            if let builder = running.builder {
                do throws(IndexError) {
                    running.result = .success(try Self.writeSegment(builder, deleted: deleted, name: name, directory: directory))
                } catch {
                    running.result = .failure(error)
                }
            }
            running.builder = nil  // its memory goes now, not when the result is taken
            running.group.leave()
        }
        runningFlush = running
    }

    /// Waits for the flush running on another thread, if any, and keeps its segment (or its
    /// error, for ``finishRunningFlush()``).
    private func waitForRunningFlush() {
        guard let running = runningFlush else { return }
        running.group.wait()
        runningFlush = nil
        switch running.result {
        case .success(let segment): if let segment { flushed.append(segment) }
        case .failure(let error): flushError = error
        }
    }

    /// Waits for the flush running on another thread, if any; throws if it (or an earlier
    /// one) failed. The error stays: every later call that can throw throws it too.
    private func finishRunningFlush() throws(IndexError) {
        waitForRunningFlush()
        if let flushError { throw flushError }
    }

    /// Makes every change durable and visible to new searchers, atomically: after a crash,
    /// the index is either at this commit or at the previous one.
    /// - Parameter userData: stored in the manifest (e.g. the catalog position indexed).
    public func commit(userData: [String: String]? = nil) throws(IndexError) {
        try checkOpen()
        try bm25.validate()  // (``deleteAll(bm25:)`` takes any.)
        try checkLockHeld()
        try flush()
        try checkLockHeld()  // (again: a large buffer's flush takes a while, and deletion files come next)
        segments += flushed
        flushed = []
        try writeManifest(userData: userData ?? committedUserData)
        try maybeMerge()
    }

    /// Throws when the lock file was removed (or replaced) while this writer held it: that
    /// let another writer in, whose commits this one's would silently overwrite. Checked as a
    /// commit starts, after its flush and just before its manifest; the index stays as it is.
    private func checkLockHeld() throws(IndexError) {
        guard Self.isSameFile(lockDescriptor, lockPath) else {
            throw IndexError(
                .corrupt,
                "the lock file \(lockPath) was removed or replaced while this writer held it, so another writer may have written the index meanwhile: this commit was abandoned, and the index may lack documents that either wrote")
        }
    }

    private func writeManifest(userData: [String: String]) throws(IndexError) {
        FaultInjector.enter(.commit, directory: path)
        // Deletion generations for segments whose deletions changed.
        let nextGeneration = generation + 1
        for segment in segments where segment.deletionsChanged {
            let file = (path as NSString).appendingPathComponent(
                DocumentSet.fileName(segment: segment.entry.name, generation: nextGeneration))
            try FileSystem.writeDurably(segment.deletions.bytes, to: file)
            segment.entry.deletionGeneration = nextGeneration
            segment.entry.deletedCount = segment.deletions.count
            segment.deletionsChanged = false
        }
        segments.removeAll { $0.liveCount == 0 }
        let manifest = Manifest(
            generation: nextGeneration, segments: segments.map(\.entry), bm25: bm25, schema: schema.fingerprint,
            userData: userData, nextSegmentNumber: nextSegmentNumber)
        try FileSystem.syncDirectory(path)
        try checkLockHeld()
        try manifest.commit(to: path)
        generation = nextGeneration
        committedUserData = userData
        changedSinceCommit = false
        removeUnreferencedFiles()
    }

    /// Deletes files that neither of the two newest manifests references (a searcher that
    /// just read the previous manifest can still open its files).
    private func removeUnreferencedFiles() {
        let generations = Manifest.generations(in: path)
        var keep = Set<String>(["write.lock"])
        for generation in generations.prefix(2) {
            keep.insert(Manifest.fileName(generation))
            let file = (path as NSString).appendingPathComponent(Manifest.fileName(generation))
            guard let data = FileManager.default.contents(atPath: file),
                let manifest = try? JSONDecoder().decode(Manifest.self, from: data)
            else { continue }
            keep.formUnion(manifest.dataFiles)
        }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        for name in names where !keep.contains(name) {
            let isOurs = name.hasSuffix(".seg") || name.hasSuffix(".del") || name.hasPrefix(Manifest.prefix)
            guard isOurs else { continue }
            // Never remove a segment written since the last commit.
            if flushed.contains(where: { name.hasPrefix($0.entry.name + ".") }) { continue }
            try? FileManager.default.removeItem(atPath: (path as NSString).appendingPathComponent(name))
        }
    }

    /// Tiered merging: when `mergeFactor` segments share a size tier (powers of 10 of live
    /// documents), merge them into one.
    ///
    /// It runs after a commit, which stands whatever happens here. A damaged segment is left
    /// out of tiered merges (and reported by `check`): the commit, and the writes after it,
    /// go on.
    private func maybeMerge() throws(IndexError) {
        while true {
            var tiers: [Int: [Int]] = [:]
            for (index, segment) in segments.enumerated() where verifiedSegments[segment.entry.name]?.isEmpty != false {
                let tier = segment.liveCount < 10 ? 0 : Int(log10(Double(segment.liveCount)))
                tiers[tier, default: []].append(index)
            }
            guard let (_, members) = tiers.sorted(by: { $0.key < $1.key }).first(where: { $0.value.count >= mergeFactor })
            else { return }
            let chosen = members.prefix(mergeFactor)
            // (A damaged one found is left out when the tiers are made again.)
            guard chosen.allSatisfy({ damagedSections(of: segments[$0]).isEmpty }) else { continue }
            try merge(Set(chosen))
        }
    }

    /// The sections of `segment` whose checksums are wrong, empty when it is sound (read once
    /// per writer; the pages read are let go).
    private func damagedSections(of segment: OpenSegment) -> [String] {
        if let found = verifiedSegments[segment.entry.name] { return found }
        let found = segment.reader.verifyFile().sorted()
        segment.reader.releaseAllPages()
        verifiedSegments[segment.entry.name] = found
        return found
    }

    /// Merges every segment into one (dropping deleted documents) and commits.
    public func forceMerge() throws(IndexError) {
        try checkOpen()
        try commit()  // (commit waits for a running flush)
        if segments.count > 1 || segments.contains(where: { $0.deletions.count > 0 }) {
            try merge(Set(segments.indices))
        }
    }

    /// Merges the segments at `indices` into one new segment and commits. Terms are merged
    /// in dictionary order straight into the new file, one term's postings at a time.
    private func merge(_ indices: Set<Int>) throws(IndexError) {
        FaultInjector.enter(.merge, directory: path)
        let sources = indices.sorted().map { segments[$0] }
        // A merge writes what it reads under a new checksum: damage it read would pass for
        // sound data from then on. Every section it reads is verified first.
        for source in sources {
            let damaged = damagedSections(of: source)
            guard damaged.isEmpty else {
                throw IndexError(
                    .corrupt, "segment \(source.reader.name) is damaged (checksum mismatch in section \(damaged.joined(separator: ", "))): it was not merged")
            }
        }
        let name = newSegmentName()
        let file = (path as NSString).appendingPathComponent(name + ".seg")
        // Per-document data of the live documents, in source order, streamed to the new
        // segment's spill buffers. Text fields that some source has text in are stored; each
        // keyword column's dictionary is the sorted union of the sources'.
        let populated = (0..<fields.textFieldCount).filter { field in
            sources.contains { $0.reader.fieldStatistics[field].documentCount > 0 }
        }
        var dictionaries: [[String]] = []
        var ordinalMaps: [[[UInt32]]] = []  // [keyword column][source][source ordinal]
        for field in fields.keywordFieldIndices {
            let merged = Set(sources.flatMap { $0.reader.keywordDictionary(field: field) }).sorted()
            let position = Dictionary(uniqueKeysWithValues: merged.enumerated().map { ($1, UInt32($0)) })
            dictionaries.append(merged)
            ordinalMaps.append(sources.map { $0.reader.keywordDictionary(field: field).map { position[$0] ?? 0 } })
        }
        let perDocument = PerDocumentWriter(path: file, fields: fields, storedFields: populated, dictionaries: dictionaries)
        // A source document's new id: its source's first new id plus its live predecessors.
        var bases: [Int] = []
        var ranks: [[Int]] = []
        // One document's data at a time, in arrays reused from document to document (a
        // merge copies millions of them).
        let keywordFields = fields.keywordFieldIndices
        var documentLengths = [UInt32](repeating: 0, count: fields.textFieldCount)
        var documentNorms = [UInt8](repeating: 0, count: populated.count)
        var documentOrdinals = [[UInt32]](repeating: [], count: keywordFields.count)
        for (sourceIndex, source) in sources.enumerated() {
            bases.append(perDocument.documentCount)
            ranks.append(source.deletions.rankTable())
            let reader = source.reader
            let sourceNorms = populated.map { reader.norms(field: $0) }
            for doc in 0..<reader.documentCount where !source.deletions.contains(doc) {
                for field in populated { documentLengths[field] = reader.length(field: field, doc: doc) }
                for (slot, norms) in sourceNorms.enumerated() { documentNorms[slot] = doc < norms.count ? norms[doc] : 0 }
                for column in keywordFields.indices {
                    documentOrdinals[column].removeAll(keepingCapacity: true)
                    for ordinal in reader.keywordOrdinals(field: keywordFields[column], doc: doc) {
                        documentOrdinals[column].append(ordinalMaps[column][sourceIndex][ordinal])
                    }
                }
                try perDocument.add(
                    keyBytes: reader.keyBytes(doc), lengths: documentLengths, norms: documentNorms, keywordOrdinals: documentOrdinals)
            }
        }
        var encoder = try SegmentEncoder(path: file, fields: fields, perDocument: perDocument)
        for source in sources { source.reader.releasePages(postingsUpTo: 0, positionsUpTo: 0, perDocument: true) }
        // k-way merge of the term dictionaries.
        var cursors = sources.map { TermCursor($0.reader) }
        var heads = cursors.indices.map { cursors[$0].next() }
        var termsMerged = 0
        var postings = PostingsAccumulator()  // one term's, its storage reused from term to term
        // Text terms that no live document has any more: word forms drop them.
        var droppedTerms = Set<[UInt8]>()
        while true {
            // What the merge has read stays mapped but need not stay resident.
            termsMerged += 1
            if termsMerged % 4096 == 0 {
                for (index, source) in sources.enumerated() {
                    guard let head = heads[index] else { continue }
                    source.reader.releasePages(
                        postingsUpTo: head.info.postingsOffset, positionsUpTo: head.info.positionsOffset, perDocument: false)
                }
            }
            guard let smallest = heads.compactMap({ $0?.key }).min(by: { $0.lexicographicallyPrecedes($1) }) else { break }
            let field = Int(smallest[0]) << 8 | Int(smallest[1])
            postings.removeAll()
            for index in sources.indices {
                guard let head = heads[index], head.key == smallest else { continue }
                let reader = sources[index].reader
                let deletions = sources[index].deletions
                var cursor = PostingsCursor(segment: reader, info: head.info)
                defer { cursor.deallocate() }
                let hasPositions = fields.kinds[field] == .text
                while cursor.nextDoc() != PostingsCursor.exhausted {
                    let doc = cursor.doc
                    guard !deletions.contains(doc) else { continue }
                    let target = bases[index] + doc - deletions.rank(doc, table: ranks[index])
                    postings.docs.append(UInt32(target))
                    postings.freqs.append(UInt32(cursor.frequency))
                    if hasPositions {
                        // Positions are relative to their document: copied as stored.
                        cursor.appendEncodedPositions(to: &postings.encodedPositions)
                        postings.encodedPositionEnds.append(postings.encodedPositions.count)
                    }
                }
                heads[index] = cursors[index].next()
            }
            if postings.docs.isEmpty, field < fields.textFieldCount { droppedTerms.insert(smallest) }
            try encoder.addTerm(field: field, term: smallest[2...], postings: postings)
        }
        try Self.mergeWordForms(of: sources, droppedTerms: droppedTerms, into: &encoder)
        var merged: OpenSegment?
        try encoder.finish()
        if perDocument.documentCount == 0 {
            try? FileManager.default.removeItem(atPath: file)
        } else {
            let reader = try SegmentReader(path: file, name: name)
            merged = OpenSegment(
                entry: Manifest.Segment(name: name, documentCount: reader.documentCount, deletedCount: 0, deletionGeneration: 0),
                reader: reader, deletions: DocumentSet(documentCount: reader.documentCount))
        }
        segments = segments.enumerated().filter { !indices.contains($0.offset) }.map(\.element)
        if let merged {
            // Keep the merged segment where its sources were (older documents first).
            let position = indices.min() ?? segments.count
            segments.insert(merged, at: min(position, segments.count))
        }
        try writeManifest(userData: committedUserData)
    }
}

extension IndexWriter {
    /// Merges the word-form dictionaries of `sources` into `encoder`, in key order (k-way,
    /// one entry at a time, as the terms): a form's terms are the union of its sources'
    /// without `droppedTerms` (keys of terms no live document has any more), and a term stays
    /// marked stem-only when every source that has the term marks it so. (Forms of deleted
    /// documents whose terms live on stay: a form cannot say which documents wrote it.)
    fileprivate static func mergeWordForms(
        of sources: [OpenSegment], droppedTerms: Set<[UInt8]>, into encoder: inout SegmentEncoder
    ) throws(IndexError) {
        func damaged(_ source: OpenSegment) -> IndexError {
            source.reader.damagedWordForms()
        }
        var cursors: [DictionaryCursor<WordFormDecoder>] = []
        for source in sources {
            var cursor = try source.reader.wordFormCursor()
            cursor.advance()
            if cursor.isDamaged { throw damaged(source) }
            cursors.append(cursor)
        }
        var marked = [Bool](repeating: false, count: sources.count)
        while true {
            var smallest: [UInt8]?
            for cursor in cursors where cursor.entry != nil {
                if let current = smallest, !cursor.key.lexicographicallyPrecedes(current) { continue }
                smallest = cursor.key
            }
            guard let key = smallest else { break }
            var terms: [[UInt8]] = []
            var anyMarked = false
            for index in cursors.indices {
                marked[index] = false
                guard let entry = cursors[index].entry, cursors[index].key == key else { continue }
                terms += sources[index].reader.wordFormTerms(entry, key: key, dictionary: cursors[index].dictionary)
                marked[index] = entry.isStemOnly
                anyMarked = anyMarked || entry.isStemOnly
                cursors[index].advance()
                if cursors[index].isDamaged { throw damaged(sources[index]) }
            }
            let field = Int(key[0]) << 8 | Int(key[1])
            var isStemOnly = anyMarked && !droppedTerms.contains(key)
            if isStemOnly {
                // A source that has the term without the mark has it as a word of its own.
                let term = String(decoding: key[2...], as: UTF8.self)
                for index in sources.indices where !marked[index] {
                    if sources[index].reader.termInfo(field: field, term: term) != nil {
                        isStemOnly = false
                        break
                    }
                }
            }
            if !droppedTerms.isEmpty { terms.removeAll { droppedTerms.contains([key[0], key[1]] + $0) } }
            if terms.count > 1 { terms = Set(terms).sorted { $0.lexicographicallyPrecedes($1) } }
            try encoder.addWordForm(field: field, form: key[2...], terms: terms, isStemOnly: isStemOnly)
        }
    }
}

/// A flush on another thread: the buffer it writes, then its outcome. Handed between threads
/// through the group (the writer reads `result` only after `group.wait()`).
private final class RunningFlush: @unchecked Sendable {
    let group = DispatchGroup()
    var builder: SegmentBuilder?
    /// The keys of the buffer's documents (read by the writer's thread only).
    let keys: [DocumentKey: Int]
    var result: Result<OpenSegment?, IndexError> = .success(nil)

    init(builder: SegmentBuilder, keys: [DocumentKey: Int]) {
        self.builder = builder
        self.keys = keys
    }
}

/// A document's key compared as the index stores it: byte for byte (UTF-8). Swift's `String`
/// compares canonically equivalent spellings as equal (`Å` as U+00C5 and as U+212B), so a
/// buffer keyed by `String` replaced a document that the index, byte for byte, keeps apart.
package struct DocumentKey: Hashable {
    package let text: String

    package init(_ text: String) { self.text = text }

    package static func == (left: DocumentKey, right: DocumentKey) -> Bool { left.text.utf8.elementsEqual(right.text.utf8) }

    package func hash(into hasher: inout Hasher) {
        var text = text
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// Why a directory could not be created, in words: the path component that is a file, or
/// the system's reason (`Permission denied`), never Foundation's "error 512".
package func reasonDirectoryCannotBeCreated(_ path: String, _ error: any Error) -> String {
    var url = URL(fileURLWithPath: path)
    while url.path != "/" && !url.path.isEmpty {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) {
            if !isDirectory.boolValue { return "\(url.path) is a file, not a directory" }
            break
        }
        url.deleteLastPathComponent()
    }
    if let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
        return String(cString: strerror(Int32(underlying.code)))
    }
    return error.localizedDescription
}
