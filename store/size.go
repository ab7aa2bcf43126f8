package store

// Size is the space a store takes.
type Size struct {
	// Bytes is what the database takes on disk.
	Bytes int64
	// Free is the part of Bytes allocated but holding no data: space the
	// store reuses for new data, or has yet to give back.
	Free int64
}
