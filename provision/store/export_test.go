package store

// Migrations exposes the schema steps to the tests.
var Migrations = migrations

// ChunkRows exposes how many rows one statement writes, and how many
// events one packed audit row holds.
const ChunkRows = chunkRows
