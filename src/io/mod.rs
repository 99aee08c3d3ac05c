//! File ingest and output (being written).
