// Package provision turns a staff list sent by a 3C referent into the
// accounts of the regional cancer-care shared record (DCC).
//
// # Pipeline
//
// Every stage is a function over values; [Check], [CheckFile] and [Run] call
// them in order:
//
//  1. read: the format is detected by content, the sheet and header row
//     found, the columns mapped and cell quirks repaired, giving [Row] values
//     that keep their Excel row numbers;
//  2. validate: each row becomes a [Person] with normalised values, every
//     [Problem] at its row and column; the cross-row checks compare compact
//     hashes of every row;
//  3. habilitations: each requested habilitation is matched to the catalogue and
//     marked as needing the director's signature or not;
//  4. outputs: the import files, the corrections workbook, the signature forms
//     and the JSON [Report].
//
// [CheckFile] and [Run] stream the list: a first pass validates each row and
// keeps a few words of keys per row, the cross-row checks are resolved on
// them, and a second pass reads the file again and writes each row's
// corrections and report entries as it comes. Memory grows with those keys,
// not with the rows or their problems ([Run] also keeps the people, without
// their rows, for logins, forms and the sorted import files). [ReadFile],
// [Validate] and [Check] do the same over a [Table] held in memory, for
// tests and small lists. docs/pipeline.md tells the details.
//
// # Determinism
//
// Nothing in this package reads the clock, the environment or a file it was
// not given: the date comes from [Config.Date], templates from
// [Config.Templates]. Outputs are sorted explicitly, never by map order, so
// the same input, configuration, store and date give byte-identical files.
package provision
