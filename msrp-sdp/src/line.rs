//! One `<type>=<value>` line, and attribute views of `a=` lines.

use alloc::string::String;
use core::fmt;

/// A line of a session description: its type letter and value, as written.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Line {
    /// The type letter (`v`, `o`, `s`, `c`, `m`, `a`, ...).
    pub kind: char,
    /// Everything after `=`.
    pub value: String,
}

impl Line {
    /// A line of this type and value.
    pub fn new(kind: char, value: impl Into<String>) -> Line {
        Line {
            kind,
            value: value.into(),
        }
    }

    /// An `a=` line; `value: None` is a property attribute (`a=sendonly`).
    pub fn attribute(name: &str, value: Option<&str>) -> Line {
        match value {
            Some(v) => Line::new('a', alloc::format!("{name}:{v}")),
            None => Line::new('a', name),
        }
    }

    /// The attribute this `a=` line carries.
    pub fn as_attribute(&self) -> Option<Attribute<'_>> {
        (self.kind == 'a').then(|| Attribute::split(&self.value))
    }
}

impl fmt::Display for Line {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.kind, self.value)
    }
}

/// An attribute: `name` or `name:value` (RFC 8866 section 5.13). The value is as written
/// after the first `:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Attribute<'a> {
    /// The attribute name.
    pub name: &'a str,
    /// The value, `None` for a property attribute.
    pub value: Option<&'a str>,
}

impl<'a> Attribute<'a> {
    pub(crate) fn split(v: &'a str) -> Attribute<'a> {
        match v.split_once(':') {
            Some((name, value)) => Attribute {
                name,
                value: Some(value),
            },
            None => Attribute {
                name: v,
                value: None,
            },
        }
    }
}
