//! The scenario file parser: line by line, each error with its line.

use std::time::Duration;

use super::template::{Template, TemplateError};
use super::{
    Action, Applies, DEFAULT_TIMEOUT, DEFAULT_WITHIN, Expect, LineEnd, MAX_CONNECTIONS,
    MAX_FILE_BYTES, MAX_HELD_SEND_BYTES, MAX_SEND_BYTES, Scenario, Step, Suite, Transport, WsFrame,
};

/// A scenario file that does not parse: what is wrong and on which line (1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {kind}")]
pub struct ParseError {
    /// The line.
    pub line: usize,
    /// What is wrong.
    pub kind: ParseErrorKind,
}

/// What is wrong in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// The file is over [`MAX_FILE_BYTES`].
    #[error("the file is over {MAX_FILE_BYTES} bytes")]
    TooLarge,
    /// The file does not start with `suite NAME`.
    #[error("the file must start with `suite NAME`")]
    NoSuite,
    /// A directive this format does not have.
    #[error("unknown directive `{0}`")]
    Unknown(String),
    /// A directive outside a scenario that belongs in one, or the other way round.
    #[error("`{0}` is not allowed here")]
    Misplaced(String),
    /// A directive with a missing or malformed argument.
    #[error("`{directive}`: {reason}")]
    BadArgument {
        /// The directive.
        directive: String,
        /// What is wrong with its arguments.
        reason: String,
    },
    /// Two scenarios with the same id.
    #[error("scenario `{0}` is defined twice")]
    Duplicate(String),
    /// A `|` line with a bad escape or variable.
    #[error("bad template at column {column}: {reason}")]
    BadTemplate {
        /// The 1-based column in the line.
        column: usize,
        /// What is wrong.
        reason: &'static str,
    },
    /// A `send` expanding to over [`MAX_SEND_BYTES`].
    #[error("a send of over {MAX_SEND_BYTES} bytes")]
    SendTooLarge,
    /// A `send` without `|` lines.
    #[error("a send without `|` lines")]
    EmptySend,
    /// A scenario without steps, `clause` or `title`.
    #[error("scenario `{id}` has no {missing}")]
    Incomplete {
        /// The scenario.
        id: String,
        /// What it lacks.
        missing: &'static str,
    },
}

fn err(line: usize, kind: ParseErrorKind) -> ParseError {
    ParseError { line, kind }
}

fn bad(line: usize, directive: &str, reason: impl Into<String>) -> ParseError {
    err(
        line,
        ParseErrorKind::BadArgument {
            directive: directive.to_owned(),
            reason: reason.into(),
        },
    )
}

/// A duration: `500ms`, `2s`, `1m`.
fn duration(line: usize, directive: &str, s: &str) -> Result<Duration, ParseError> {
    let (n, unit) = s
        .find(|c: char| !c.is_ascii_digit())
        .map_or((s, ""), |i| s.split_at(i));
    let n: u64 = n.parse().map_err(|_| {
        bad(
            line,
            directive,
            format!("`{s}` is not a duration (500ms, 2s)"),
        )
    })?;
    let d = match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        _ => {
            return Err(bad(
                line,
                directive,
                format!("`{s}` is not a duration (500ms, 2s)"),
            ));
        }
    };
    if d > Duration::from_secs(3600) {
        return Err(bad(line, directive, "durations are at most an hour"));
    }
    Ok(d)
}

fn number<T: std::str::FromStr>(
    line: usize,
    directive: &str,
    s: Option<&str>,
) -> Result<T, ParseError> {
    let s = s.ok_or_else(|| bad(line, directive, "a number is missing"))?;
    s.parse()
        .map_err(|_| bad(line, directive, format!("`{s}` is not a number")))
}

fn codes(line: usize, directive: &str, s: Option<&str>) -> Result<Vec<u16>, ParseError> {
    let s = s.ok_or_else(|| bad(line, directive, "a status code is missing"))?;
    s.split(',')
        .map(|c| {
            c.parse::<u16>()
                .ok()
                .filter(|c| (100..=999).contains(c))
                .ok_or_else(|| bad(line, directive, format!("`{c}` is not a status code")))
        })
        .collect()
}

/// Scenario being built.
struct Open {
    s: Scenario,
    /// The `send` whose `|` lines are being read.
    send: Option<SendLines>,
}

/// The `|` lines of a send, as they are read.
struct SendLines {
    /// The send's index in the scenario's steps.
    idx: usize,
    end: LineEnd,
    /// Lines read so far.
    lines: usize,
    /// The last one ended with a lone `\`.
    no_end: bool,
}

impl LineEnd {
    fn bytes(self) -> &'static [u8] {
        match self {
            LineEnd::Crlf => b"\r\n",
            LineEnd::Lf => b"\n",
        }
    }
}

/// Parses a scenario file (see the module documentation and `FORMAT.md`).
///
/// # Errors
/// The first thing wrong in it, with its line.
pub fn parse(text: &str) -> Result<Suite, ParseError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(err(0, ParseErrorKind::TooLarge));
    }
    let mut suite: Option<String> = None;
    let mut applies = Applies::Any;
    let mut transport = Transport::Any;
    let mut scenarios: Vec<Scenario> = Vec::new();
    let mut open: Option<Open> = None;
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let trimmed = raw.trim_start();
        // `|` lines: the bytes of the send above.
        if let Some(rest) = trimmed.strip_prefix('|') {
            let misplaced = || err(line, ParseErrorKind::Misplaced("|".into()));
            let o = open.as_mut().ok_or_else(misplaced)?;
            let send = o.send.as_mut().ok_or_else(misplaced)?;
            let Some(Step {
                action: Action::Send { template, .. },
                ..
            }) = o.s.steps.get_mut(send.idx)
            else {
                return Err(misplaced());
            };
            // Each line but the first starts after the line end of the one before,
            // unless that one ended with a lone `\`.
            if send.lines > 0 && !send.no_end {
                template.push_bytes(send.end.bytes());
            }
            let content = rest.strip_prefix(' ').unwrap_or(rest);
            let column = raw.len() - content.len() + 1;
            send.no_end = template.push_text(content).map_err(|e| match e {
                TemplateError::TooLarge => err(line, ParseErrorKind::SendTooLarge),
                TemplateError::BadEscape(at) => err(
                    line,
                    ParseErrorKind::BadTemplate {
                        column: column + at,
                        reason: "an escape is \\r \\n \\t \\\\ \\$ or \\xHH",
                    },
                ),
                TemplateError::BadVariable(at) => err(
                    line,
                    ParseErrorKind::BadTemplate {
                        column: column + at,
                        reason: "a variable is ${name} or ${repeat:N:TEXT}",
                    },
                ),
            })?;
            send.lines += 1;
            continue;
        }
        // The `|` lines of a send end at the first other line: a send's last line gets
        // its line end unless it ended with `\`.
        if let Some(o) = open.as_mut() {
            if let Some(send) = o.send.take() {
                finish_send(&mut o.s, &send)?;
            }
        }
        let content = strip_comment(trimmed).trim_end();
        if content.is_empty() {
            continue;
        }
        let (conn, content) = match content.strip_prefix('@') {
            Some(rest) => {
                let (name, rest) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                if name.is_empty()
                    || !name
                        .bytes()
                        .all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
                {
                    return Err(bad(
                        line,
                        "@",
                        "a connection name is letters, digits, - and _",
                    ));
                }
                (Some(name.to_owned()), rest.trim_start())
            }
            None => (None, content),
        };
        let mut words = content.split_whitespace();
        let Some(directive) = words.next() else {
            return Err(bad(
                line,
                "@",
                "a step is missing after the connection name",
            ));
        };
        let rest_text = content[directive.len()..].trim();
        if suite.is_none() {
            if directive != "suite" {
                return Err(err(line, ParseErrorKind::NoSuite));
            }
            let name = words
                .next()
                .ok_or_else(|| bad(line, "suite", "a name is missing"))?;
            suite = Some(name.to_owned());
            continue;
        }
        let scenario_only = |d: &str| err(line, ParseErrorKind::Misplaced(d.to_owned()));
        match directive {
            "suite" => return Err(err(line, ParseErrorKind::Misplaced("suite".into()))),
            "applies" => {
                let a = match words.next() {
                    Some("endpoint") => Applies::Endpoint,
                    Some("relay") => Applies::Relay,
                    Some("any") => Applies::Any,
                    _ => return Err(bad(line, "applies", "endpoint, relay or any")),
                };
                match open.as_mut() {
                    Some(o) => o.s.applies = a,
                    None => applies = a,
                }
            }
            "transport" => {
                let t = match words.next() {
                    Some("any") => Transport::Any,
                    Some("stream") => Transport::Stream,
                    Some("ws") => Transport::WebSocket,
                    _ => return Err(bad(line, "transport", "any, stream or ws")),
                };
                match open.as_mut() {
                    Some(o) => o.s.transport = t,
                    None => transport = t,
                }
            }
            "scenario" => {
                let id = words
                    .next()
                    .ok_or_else(|| bad(line, "scenario", "an id is missing"))?;
                if let Some(o) = open.take() {
                    scenarios.push(close(o)?);
                }
                if scenarios.iter().any(|s| s.id == id) {
                    return Err(err(line, ParseErrorKind::Duplicate(id.to_owned())));
                }
                open = Some(Open {
                    s: Scenario {
                        id: id.to_owned(),
                        clause: String::new(),
                        title: String::new(),
                        applies,
                        hostile: false,
                        transport,
                        timeout: DEFAULT_TIMEOUT,
                        steps: Vec::new(),
                        line,
                    },
                    send: None,
                });
            }
            _ => {
                let o = open.as_mut().ok_or_else(|| scenario_only(directive))?;
                step(o, line, conn, directive, rest_text)?;
            }
        }
    }
    if let Some(mut o) = open.take() {
        if let Some(send) = o.send.take() {
            finish_send(&mut o.s, &send)?;
        }
        scenarios.push(close(o)?);
    }
    let name = suite.ok_or_else(|| err(1, ParseErrorKind::NoSuite))?;
    Ok(Suite { name, scenarios })
}

/// A `#` starts a comment outside `|` lines.
fn strip_comment(s: &str) -> &str {
    s.find('#').map_or(s, |i| &s[..i])
}

fn finish_send(s: &mut Scenario, send: &SendLines) -> Result<(), ParseError> {
    let Some(Step {
        action: Action::Send { template, .. },
        line,
        ..
    }) = s.steps.get_mut(send.idx)
    else {
        return Ok(());
    };
    if send.lines == 0 {
        return Err(err(*line, ParseErrorKind::EmptySend));
    }
    if !send.no_end {
        template.push_bytes(send.end.bytes());
    }
    if template.fixed_len() > MAX_SEND_BYTES {
        return Err(err(*line, ParseErrorKind::SendTooLarge));
    }
    if let Some(Step {
        action:
            Action::Send {
                template,
                connections: Some(_),
                repeat,
                ..
            },
        line,
        ..
    }) = s.steps.get(send.idx)
    {
        if template.fixed_len().saturating_mul(*repeat as usize) > MAX_HELD_SEND_BYTES {
            return Err(err(
                *line,
                ParseErrorKind::BadArgument {
                    directive: "send".into(),
                    reason: format!(
                        "`connections N` sends at most {MAX_HELD_SEND_BYTES} bytes on each"
                    ),
                },
            ));
        }
    }
    Ok(())
}

fn close(o: Open) -> Result<Scenario, ParseError> {
    let s = o.s;
    let missing = if s.clause.is_empty() {
        Some("clause")
    } else if s.title.is_empty() {
        Some("title")
    } else if s.steps.is_empty() {
        Some("steps")
    } else {
        None
    };
    match missing {
        Some(missing) => Err(err(
            s.line,
            ParseErrorKind::Incomplete {
                id: s.id.clone(),
                missing,
            },
        )),
        None => Ok(s),
    }
}

fn step(
    o: &mut Open,
    line: usize,
    conn: Option<String>,
    directive: &str,
    rest: &str,
) -> Result<(), ParseError> {
    let mut words = rest.split_whitespace().peekable();
    let conn_name = conn.clone().unwrap_or_else(|| "main".to_owned());
    let no_conn = |d: &str| {
        if conn.is_some() {
            Err(bad(line, d, "takes no @connection"))
        } else {
            Ok(())
        }
    };
    let action = match directive {
        "clause" | "title" => {
            no_conn(directive)?;
            if rest.is_empty() {
                return Err(bad(line, directive, "the text is missing"));
            }
            if directive == "clause" {
                o.s.clause = rest.to_owned();
            } else {
                o.s.title = rest.to_owned();
            }
            return Ok(());
        }
        "hostile" => {
            no_conn(directive)?;
            o.s.hostile = true;
            return Ok(());
        }
        "timeout" => {
            no_conn(directive)?;
            let w = words
                .next()
                .ok_or_else(|| bad(line, "timeout", "a duration is missing"))?;
            o.s.timeout = duration(line, "timeout", w)?;
            return Ok(());
        }
        "connect" => Action::Connect,
        "ping" => Action::Ping,
        "close" => Action::Close,
        "wait" => {
            let w = words
                .next()
                .ok_or_else(|| bad(line, "wait", "a duration is missing"))?;
            Action::Wait(duration(line, "wait", w)?)
        }
        "alive" => {
            no_conn(directive)?;
            let within = match (words.next(), words.next()) {
                (None, _) => Duration::from_secs(5),
                (Some("within"), Some(d)) => duration(line, "alive", d)?,
                _ => return Err(bad(line, "alive", "`alive [within D]`")),
            };
            Action::Alive(within)
        }
        "authenticate" => {
            let (mut user, mut password, mut expires, mut answer) = (None, None, None, vec![200]);
            let mut wrong_password = false;
            while let Some(w) = words.next() {
                if w == "wrong-password" {
                    wrong_password = true;
                    continue;
                }
                let v = words
                    .next()
                    .ok_or_else(|| bad(line, "authenticate", format!("`{w}` needs a value")))?;
                match w {
                    "user" => user = Some(v.to_owned()),
                    "password" => password = Some(v.to_owned()),
                    "expires" => expires = Some(number(line, "authenticate", Some(v))?),
                    "answer" => answer = codes(line, "authenticate", Some(v))?,
                    _ => return Err(bad(line, "authenticate", format!("unknown option `{w}`"))),
                }
            }
            let credentials = match (user, password) {
                (Some(u), Some(p)) => Some((u, p)),
                (None, None) => None,
                _ => {
                    return Err(bad(
                        line,
                        "authenticate",
                        "`user U` and `password P` go together",
                    ));
                }
            };
            if wrong_password && credentials.is_some() {
                return Err(bad(
                    line,
                    "authenticate",
                    "`wrong-password` takes no user and password",
                ));
            }
            Action::Authenticate {
                credentials,
                wrong_password,
                expires,
                answer,
            }
        }
        "send" => {
            let mut connections = None;
            let mut frame = None;
            let (mut end, mut split, mut pause, mut repeat) =
                (LineEnd::Crlf, None, Duration::ZERO, 1);
            while let Some(w) = words.next() {
                match w {
                    "lf" => end = LineEnd::Lf,
                    "frame" => {
                        frame = Some(match words.next() {
                            Some("text") => WsFrame::Text,
                            Some("binary") => WsFrame::Binary,
                            _ => return Err(bad(line, "send", "`frame text` or `frame binary`")),
                        });
                    }
                    "split" => {
                        let n: usize = number(line, "send", words.next())?;
                        if n == 0 {
                            return Err(bad(line, "send", "`split 0`"));
                        }
                        split = Some(n);
                    }
                    "pause" => {
                        let d = words.next().ok_or_else(|| bad(line, "send", "`pause D`"))?;
                        pause = duration(line, "send", d)?;
                    }
                    "repeat" => {
                        repeat = number(line, "send", words.next())?;
                        if repeat == 0 || repeat > 1_000_000 {
                            return Err(bad(line, "send", "`repeat N` with N from 1 to 1000000"));
                        }
                    }
                    "connections" => {
                        let n: u32 = number(line, "send", words.next())?;
                        if n == 0 || n > MAX_CONNECTIONS {
                            return Err(bad(
                                line,
                                "send",
                                format!("`connections N` with N from 1 to {MAX_CONNECTIONS}"),
                            ));
                        }
                        connections = Some(n);
                    }
                    _ => return Err(bad(line, "send", format!("unknown option `{w}`"))),
                }
            }
            o.send = Some(SendLines {
                idx: o.s.steps.len(),
                end,
                lines: 0,
                no_end: false,
            });
            Action::Send {
                template: Template::default(),
                split,
                pause,
                repeat,
                connections,
                frame,
            }
        }
        "expect" => Action::Expect(expect(line, &mut words, rest)?),
        other => return Err(err(line, ParseErrorKind::Unknown(other.to_owned()))),
    };
    o.s.steps.push(Step {
        line,
        conn: conn_name,
        action,
    });
    Ok(())
}

/// The TEXT of `... contains TEXT`: the rest of the line after `contains `, as written,
/// with its escapes and variables.
fn contains_text(line: usize, what: &str, rest: &str) -> Result<Template, ParseError> {
    let at = rest
        .find(" contains ")
        .map(|i| i + " contains ".len())
        .ok_or_else(|| bad(line, what, "the text is missing"))?;
    let mut contains = Template::default();
    let ended = contains
        .push_text(rest[at..].trim())
        .map_err(|_| bad(line, what, "bad escape or variable in the text"))?;
    if ended || contains.parts.is_empty() {
        return Err(bad(line, what, "the text is missing"));
    }
    Ok(contains)
}

fn within<'a>(
    line: usize,
    what: &str,
    words: &mut impl Iterator<Item = &'a str>,
) -> Result<Duration, ParseError> {
    match (words.next(), words.next()) {
        (None, _) => Ok(DEFAULT_WITHIN),
        (Some("within"), Some(d)) => duration(line, what, d),
        _ => Err(bad(line, what, "only `within D` may follow")),
    }
}

fn expect<'a>(
    line: usize,
    words: &mut std::iter::Peekable<impl Iterator<Item = &'a str>>,
    rest: &str,
) -> Result<Expect, ParseError> {
    let kind = words
        .next()
        .ok_or_else(|| bad(line, "expect", "what to expect is missing"))?;
    match kind {
        "response" => {
            let want = codes(line, "expect response", words.next())?;
            let (mut tid, mut within, mut na_on) = ("tid".to_owned(), DEFAULT_WITHIN, Vec::new());
            while let Some(w) = words.next() {
                match w {
                    "for" => {
                        tid = words
                            .next()
                            .ok_or_else(|| bad(line, "expect response", "`for VARIABLE`"))?
                            .to_owned();
                    }
                    "within" => {
                        let d = words
                            .next()
                            .ok_or_else(|| bad(line, "expect response", "`within D`"))?;
                        within = duration(line, "expect response", d)?;
                    }
                    "na-on" => na_on = codes(line, "expect response", words.next())?,
                    _ => {
                        return Err(bad(
                            line,
                            "expect response",
                            format!("unknown option `{w}`"),
                        ));
                    }
                }
            }
            Ok(Expect::Response {
                codes: want,
                tid,
                within,
                na_on,
            })
        }
        "request" => {
            let method = words
                .next()
                .ok_or_else(|| bad(line, "expect request", "a method is missing"))?;
            if !method.bytes().all(|c| c.is_ascii_uppercase()) {
                return Err(bad(
                    line,
                    "expect request",
                    "a method is upper-case letters",
                ));
            }
            let mut status = None;
            let mut within = DEFAULT_WITHIN;
            while let Some(w) = words.next() {
                match w {
                    "status" => {
                        status = Some(
                            *codes(line, "expect request", words.next())?
                                .first()
                                .unwrap_or(&200),
                        );
                    }
                    "within" => {
                        let d = words
                            .next()
                            .ok_or_else(|| bad(line, "expect request", "`within D`"))?;
                        within = duration(line, "expect request", d)?;
                    }
                    _ => return Err(bad(line, "expect request", format!("unknown option `{w}`"))),
                }
            }
            Ok(Expect::Request {
                method: method.to_owned(),
                status,
                within,
            })
        }
        "pong" => Ok(Expect::Pong(within(line, "expect pong", words)?)),
        "framing" => match words.next() {
            None => Ok(Expect::Framing),
            Some(_) => Err(bad(line, "expect framing", "takes no options")),
        },
        "nothing" => Ok(Expect::Nothing(within(line, "expect nothing", words)?)),
        "closed" => Ok(Expect::Closed(within(line, "expect closed", words)?)),
        "body" => {
            if words.next() != Some("contains") {
                return Err(bad(line, "expect body", "`expect body contains TEXT`"));
            }
            Ok(Expect::Body(contains_text(line, "expect body", rest)?))
        }
        "header" => {
            let name = words
                .next()
                .ok_or_else(|| bad(line, "expect header", "a field name is missing"))?;
            match words.next() {
                None => {
                    return Ok(Expect::Header {
                        name: name.to_owned(),
                        contains: Template::default(),
                    });
                }
                Some("contains") => {}
                Some(_) => {
                    return Err(bad(
                        line,
                        "expect header",
                        "`expect header NAME [contains TEXT]`",
                    ));
                }
            }
            Ok(Expect::Header {
                name: name.to_owned(),
                contains: contains_text(line, "expect header", rest)?,
            })
        }
        other => Err(bad(
            line,
            "expect",
            format!("`{other}`: response, request, nothing, closed, header, body, pong or framing"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::script::Part;

    const ONE: &str = "\
suite demo   # a comment
applies endpoint

scenario one
  clause RFC 4975 7.2
  title A SEND is answered
  send split 3
  | MSRP ${tid} SEND
  | To-Path: ${to}
  |
  | -------${tid}$
  expect response 200 within 3s na-on 501
  @other send lf
  | abc\\
  | def
  @other expect closed within 1s
";

    #[test]
    fn a_scenario_file_parses() {
        let s = parse(ONE).unwrap();
        assert_eq!(s.name, "demo");
        let sc = &s.scenarios[0];
        assert_eq!(
            (sc.id.as_str(), sc.clause.as_str()),
            ("one", "RFC 4975 7.2")
        );
        assert_eq!(sc.applies, Applies::Endpoint);
        assert_eq!(sc.steps.len(), 4);
        let Action::Send {
            template, split, ..
        } = &sc.steps[0].action
        else {
            panic!()
        };
        assert_eq!(*split, Some(3));
        let mut vars = std::collections::HashMap::new();
        vars.insert("tid".to_owned(), "T".to_owned());
        vars.insert("to".to_owned(), "U".to_owned());
        assert_eq!(
            template.expand(&vars).unwrap(),
            b"MSRP T SEND\r\nTo-Path: U\r\n\r\n-------T$\r\n"
        );
        assert_eq!(
            sc.steps[1].action,
            Action::Expect(Expect::Response {
                codes: vec![200],
                tid: "tid".into(),
                within: Duration::from_secs(3),
                na_on: vec![501],
            })
        );
        let Action::Send { template, .. } = &sc.steps[2].action else {
            panic!()
        };
        assert_eq!(sc.steps[2].conn, "other");
        assert_eq!(template.parts, vec![Part::Bytes(b"abcdef\n".to_vec())]);
        assert_eq!(
            sc.steps[3].action,
            Action::Expect(Expect::Closed(Duration::from_secs(1)))
        );
    }

    /// The WebSocket parts: `transport` (file default, scenario override), `send frame`,
    /// `ping`, `expect pong` and `expect framing`.
    #[test]
    fn websocket_directives_parse() {
        let text = "suite w\ntransport ws\nscenario a\n  clause c\n  title t\n  \
                    send frame binary\n  | x\n  ping\n  expect pong within 3s\n  \
                    expect framing\nscenario b\n  clause c\n  title t\n  transport stream\n  \
                    send\n  | y\n";
        let s = parse(text).unwrap();
        let (a, b) = (&s.scenarios[0], &s.scenarios[1]);
        assert_eq!(a.transport, Transport::WebSocket);
        assert_eq!(b.transport, Transport::Stream);
        assert!(matches!(
            a.steps[0].action,
            Action::Send {
                frame: Some(WsFrame::Binary),
                ..
            }
        ));
        assert_eq!(a.steps[1].action, Action::Ping);
        assert_eq!(
            a.steps[2].action,
            Action::Expect(Expect::Pong(Duration::from_secs(3)))
        );
        assert_eq!(a.steps[3].action, Action::Expect(Expect::Framing));
        assert!(matches!(
            b.steps[0].action,
            Action::Send { frame: None, .. }
        ));
    }

    #[test]
    fn errors_name_their_line() {
        let cases: &[(&str, usize)] = &[
            ("scenario x\n", 1),
            (
                "suite a\nscenario x\n  clause c\n  title t\n  frobnicate\n",
                5,
            ),
            (
                "suite a\nscenario x\n  clause c\n  title t\n  expect response 2000\n",
                5,
            ),
            (
                "suite a\nscenario x\n  clause c\n  title t\n  send\n  | \\q\n",
                6,
            ),
            (
                "suite a\nscenario x\n  clause c\n  title t\n  send\n  expect nothing\n",
                5,
            ),
            ("suite a\nscenario x\n  title t\n  wait 1s\n", 2),
            (
                "suite a\nscenario x\n  clause c\n  title t\n  wait 1s\nscenario x\n",
                6,
            ),
            ("suite a\n| x\n", 2),
            ("suite a\nscenario x\n  clause c\n  title t\n  wait 2h\n", 5),
            ("suite a\ntransport udp\n", 2),
            (
                "suite a\nscenario x\n  clause c\n  title t\n  send frame json\n",
                5,
            ),
            (
                "suite a\nscenario x\n  clause c\n  title t\n  expect framing now\n",
                5,
            ),
        ];
        for (text, line) in cases {
            let e = parse(text).unwrap_err();
            assert_eq!(e.line, *line, "{text:?}: {e}");
        }
    }
}
