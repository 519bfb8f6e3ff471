// The record model, validation and the readers live in the Records module; a program that
// imports ClearingHouse gets them too (Record, Diagnostic, RecordFormat, IngestOptions, ...).
@_exported import Records
