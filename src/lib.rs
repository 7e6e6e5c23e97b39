//! privacy-site: versioned Markdown policies in, an accessible static website out.
pub mod diff;
