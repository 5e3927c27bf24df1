//! Placeholder: the PostgreSQL back end is being written.
