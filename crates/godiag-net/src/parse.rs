//! Pure parsers: each takes text and a source name, and returns a model or a positioned
//! error. None of them reads a file.

pub mod ini;
pub mod ip_address;
pub mod portproxy;
pub mod proc_net;
pub mod routes;

use std::fmt;

/// A parse failure at a position in a named source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub struct ParseError {
    /// The file or command the text came from.
    pub source_name: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What was wrong.
    pub message: String,
}

impl ParseError {
    /// An error at `line`:`column` of `source`.
    #[must_use]
    pub fn new(source: &str, line: usize, column: usize, message: impl Into<String>) -> Self {
        Self {
            source_name: source.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.source_name, self.line, self.column, self.message
        )
    }
}
