// Package ldap provisions an LDAP directory from the output folder of
// `dccprov run`: it plans and applies the changes that make the directory
// match the folder's accounts and active habilitations.
//
// # Model
//
// People are inetOrgPerson entries uid=LOGIN,ou=people,BASE; each
// habilitation is a groupOfNames cn=CODE,ou=groups,BASE. [ReadBatch] reads
// the folder (accounts.ldif and habilitations.csv, never the spreadsheet),
// [Client.State] reads the directory in paged searches, [Diff] compares them
// without I/O, and [Apply] executes the [Changeset] with a few concurrent
// connections after writing an undo LDIF.
//
// # Rules where the contract is silent
//
//   - A group is created only once it has a member. groupOfNames needs at
//     least one member, so a group whose last member leaves keeps a single
//     placeholder member: the group's own DN ([Placeholder]).
//   - Members the batch does not name are left in their groups; the batch's
//     people are in a group exactly when they hold it active.
//   - Only the groups cn=CODE,ou=groups,BASE of a managed code are examined,
//     recognised by their DN (compared case-insensitively), never by their cn
//     attribute. The managed codes are those habilitations.csv names, whatever
//     their status, and those of the catalogue ([Options.Codes]), so a group
//     whose last holder left the list is still emptied. Any other group under
//     ou=groups is left alone, also by --prune.
//   - --prune disables a person by adding the value
//     "dccprov-disabled YYYY-MM-DD" to description ([DisabledPrefix]) and
//     removing them from the managed groups; the entry is never deleted. A disabled
//     person named again by a later batch gets that value removed.
package ldap
