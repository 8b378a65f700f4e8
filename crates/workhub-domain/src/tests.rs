//! Domain tests on a temporary SQLite with a fixed clock.
