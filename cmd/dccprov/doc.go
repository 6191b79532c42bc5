// Command dccprov turns the staff lists of health establishments into
// accounts for the regional cancer-care shared record (DCC).
//
// Usage:
//
//	dccprov check  FILE [--corrections PATH] [--sheet NAME] [--password-file FILE] [--json]
//	dccprov run    FILE -o DIR [--replace] [--sheet NAME] [--password-file FILE]
//	dccprov forms  list [--status pending|signed|rejected] [--json]
//	dccprov forms  sign REF --signer NAME [--date YYYY-MM-DD]
//	dccprov forms  reject REF --reason TEXT
//	dccprov forms  print REF -o DIR
//	dccprov readiness [--finess F] [--history] [--json]
//	dccprov ldap   plan|apply DIR [--url URL] [--base-dn DN] [--bind-dn DN]
//	               [--bind-password-file FILE] [--ca-file PEM] [--prune] [--insecure]
//	dccprov template -o FILE.xlsx
//	dccprov explain [CODE]
//	dccprov version
//
// Global flags, anywhere on the line: --config FILE, --store PATH, --json,
// --log-format console|json, --quiet, --no-progress, --date YYYY-MM-DD,
// --operator NAME.
//
// Exit status: 0 processed, no row rejected; 1 processed, some rows
// rejected; 2 nothing processed (usage, unreadable file, missing column, bad
// config); 3 an external system (LDAP) failed part-way.
//
// See README.md for the whole manual and SPEC.md for the contract.
package main
