// The record model, validation and the readers live in the Records module; a program that
// imports ClearingHouse gets them too (Record, Diagnostic, RecordFormat, IngestOptions, ...).
// So does it get the engine's types that the library's answers carry (QueryExpansion,
// SpellingCorrection, BM25Parameters, Query, ...), from SearchCore.
@_exported import Records
@_exported import SearchCore
