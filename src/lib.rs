//! privacy-site: versioned Markdown policies in, an accessible static website out.
//!
//! The modules follow the pipeline: `config` and `content` load a site, `markdown` and `diff`
//! render it, `site` decides its pages and URLs, `theme` and `pages` turn them into HTML,
//! `output` writes the result, and `build` runs those steps in order. `cli` sits on top.

pub mod build;
pub mod cli;
pub mod commands;
pub mod config;
pub mod consent;
pub mod consent_lines;
pub mod content;
pub mod diagnostics;
pub mod diff;
pub mod feeds;
pub mod history;
pub mod links;
pub mod lint;
pub mod markdown;
pub mod output;
pub mod pages;
pub mod render_cache;
pub mod scaffold;
pub mod serve;
pub mod site;
pub mod theme;
pub mod timings;
pub mod yaml;
