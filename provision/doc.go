// Package provision turns a staff list sent by a 3C referent into the
// accounts of the regional cancer-care shared record (DCC).
//
// # Pipeline
//
// Every stage is a function over values; [Check] and [Run] call them in order:
//
//  1. read: [ReadFile] detects the format by content, finds the sheet and the
//     header row, maps the columns and repairs cell quirks, giving a [Table] of
//     [Row] values that keep their Excel row numbers;
//  2. validate: [Validate] turns each row into a [Person] with normalised values
//     and collects every [Problem] at its row and column;
//  3. habilitations: each requested habilitation is matched to the catalogue and
//     marked as needing the director's signature or not;
//  4. outputs: the import files, the corrections workbook, the signature forms
//     and the JSON [Report].
//
// # Determinism
//
// Nothing in this package reads the clock, the environment or a file it was
// not given: the date comes from [Config.Date], templates from
// [Config.Templates]. Outputs are sorted explicitly, never by map order, so
// the same input, configuration, store and date give byte-identical files.
package provision
