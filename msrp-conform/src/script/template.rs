//! Bytes with variables: what a `send` writes and an `expect header` compares with.
//!
//! In a template `${name}` is a variable, `${repeat:N:TEXT}` is TEXT N times, and
//! `\r`, `\n`, `\t`, `\\`, `\$` and `\xHH` are escapes; everything else is taken as
//! written (UTF-8).

use std::collections::HashMap;

/// One piece of a [`Template`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Bytes as they are.
    Bytes(Vec<u8>),
    /// A variable's value.
    Var(String),
    /// Bytes repeated.
    Repeat {
        /// How many times.
        count: usize,
        /// What.
        bytes: Vec<u8>,
    },
}

/// Bytes with variables.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Template {
    /// The pieces, in order.
    pub parts: Vec<Part>,
}

/// Why a template does not parse (the caller adds the line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TemplateError {
    /// `\` followed by something that is not an escape.
    BadEscape(usize),
    /// `${` without `}`, or an empty or malformed `${...}`.
    BadVariable(usize),
    /// A `${repeat}` or the whole template over [`super::MAX_SEND_BYTES`].
    TooLarge,
}

impl Template {
    /// The most bytes it expands to, not counting variables.
    pub fn fixed_len(&self) -> usize {
        self.parts.iter().fold(0usize, |n, p| {
            n.saturating_add(match p {
                Part::Bytes(b) => b.len(),
                Part::Var(_) => 0,
                Part::Repeat { count, bytes } => count.saturating_mul(bytes.len()),
            })
        })
    }

    /// The variables it uses.
    pub fn variables(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var(v) => Some(v.as_str()),
            _ => None,
        })
    }

    /// Its bytes, with the variables' values from `vars` (`None`: the first one that has
    /// no value).
    pub fn expand(&self, vars: &HashMap<String, String>) -> Result<Vec<u8>, String> {
        let mut out = Vec::with_capacity(self.fixed_len().min(super::MAX_SEND_BYTES));
        for p in &self.parts {
            match p {
                Part::Bytes(b) => out.extend_from_slice(b),
                Part::Var(v) => match vars.get(v) {
                    Some(value) => out.extend_from_slice(value.as_bytes()),
                    None => return Err(v.clone()),
                },
                Part::Repeat { count, bytes } => {
                    for _ in 0..*count {
                        out.extend_from_slice(bytes);
                    }
                }
            }
        }
        Ok(out)
    }

    pub(crate) fn push_bytes(&mut self, b: &[u8]) {
        if let Some(Part::Bytes(last)) = self.parts.last_mut() {
            last.extend_from_slice(b);
        } else if !b.is_empty() {
            self.parts.push(Part::Bytes(b.to_vec()));
        }
    }

    /// Appends `text` (one line's worth) with its escapes and variables. Returns whether
    /// it ended with a lone `\` (no line end is to follow it).
    pub(crate) fn push_text(&mut self, text: &str) -> Result<bool, TemplateError> {
        let b = text.as_bytes();
        let mut i = 0;
        let mut plain = Vec::new();
        while i < b.len() {
            match b[i] {
                b'\\' => {
                    let Some(&c) = b.get(i + 1) else {
                        self.push_bytes(&plain);
                        return Ok(true);
                    };
                    match c {
                        b'r' => plain.push(b'\r'),
                        b'n' => plain.push(b'\n'),
                        b't' => plain.push(b'\t'),
                        b'\\' => plain.push(b'\\'),
                        b'$' => plain.push(b'$'),
                        b'x' => {
                            let hex = b.get(i + 2..i + 4).ok_or(TemplateError::BadEscape(i))?;
                            let s = core::str::from_utf8(hex)
                                .map_err(|_| TemplateError::BadEscape(i))?;
                            let v = u8::from_str_radix(s, 16)
                                .map_err(|_| TemplateError::BadEscape(i))?;
                            plain.push(v);
                            i += 2;
                        }
                        _ => return Err(TemplateError::BadEscape(i)),
                    }
                    i += 2;
                }
                b'$' if b.get(i + 1) == Some(&b'{') => {
                    let close = b[i + 2..]
                        .iter()
                        .position(|&c| c == b'}')
                        .ok_or(TemplateError::BadVariable(i))?;
                    let inner = &text[i + 2..i + 2 + close];
                    self.push_bytes(&plain);
                    plain.clear();
                    self.push_variable(inner, i)?;
                    i += close + 3;
                }
                c => {
                    plain.push(c);
                    i += 1;
                }
            }
        }
        self.push_bytes(&plain);
        if self.fixed_len() > super::MAX_SEND_BYTES {
            return Err(TemplateError::TooLarge);
        }
        Ok(false)
    }

    fn push_variable(&mut self, inner: &str, at: usize) -> Result<(), TemplateError> {
        if let Some(rest) = inner.strip_prefix("repeat:") {
            let (count, what) = rest.split_once(':').ok_or(TemplateError::BadVariable(at))?;
            let count: usize = count.parse().map_err(|_| TemplateError::BadVariable(at))?;
            let mut t = Template::default();
            if t.push_text(what)? || t.variables().next().is_some() {
                return Err(TemplateError::BadVariable(at));
            }
            let bytes = t
                .expand(&HashMap::new())
                .map_err(|_| TemplateError::BadVariable(at))?;
            if bytes.is_empty() {
                return Err(TemplateError::BadVariable(at));
            }
            if count.saturating_mul(bytes.len()) > super::MAX_SEND_BYTES {
                return Err(TemplateError::TooLarge);
            }
            self.parts.push(Part::Repeat { count, bytes });
            return Ok(());
        }
        let valid = !inner.is_empty()
            && inner
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_');
        if !valid {
            return Err(TemplateError::BadVariable(at));
        }
        self.parts.push(Part::Var(inner.to_owned()));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Template {
        let mut t = Template::default();
        t.push_text(s).unwrap();
        t
    }

    #[test]
    fn escapes_variables_and_repeats() {
        let tpl = t(r"a\r\n\x00\$${tid}${repeat:3:ab}\\");
        let mut vars = HashMap::new();
        vars.insert("tid".to_owned(), "T1".to_owned());
        assert_eq!(tpl.expand(&vars).unwrap(), b"a\r\n\x00$T1ababab\\");
        assert_eq!(t("${nope}").expand(&vars), Err("nope".to_owned()));
    }

    #[test]
    fn a_lone_backslash_at_the_end_means_no_line_end() {
        let mut tpl = Template::default();
        assert!(tpl.push_text(r"abc\").unwrap());
        assert!(!tpl.push_text(r"abc\\").unwrap());
    }

    #[test]
    fn bad_templates_are_errors() {
        for bad in [
            r"\q",
            r"\x4",
            r"\xzz",
            "${",
            "${}",
            "${a b}",
            "${repeat:x:a}",
            "${repeat:2:}",
        ] {
            let mut tpl = Template::default();
            assert!(tpl.push_text(bad).is_err(), "{bad}");
        }
        let mut tpl = Template::default();
        assert_eq!(
            tpl.push_text("${repeat:99999999999:ab}"),
            Err(TemplateError::TooLarge)
        );
    }
}
