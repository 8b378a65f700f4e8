//! workhub-proto
