//! Scenario files: the format users write their own scenarios in, and the built-in
//! suites are written in. [`parse`] reads one file into a [`Suite`]; the format is
//! described in the crate's `FORMAT.md` (and, briefly, below).
//!
//! ```text
//! suite endpoint                      # the suite's name (first directive)
//! applies endpoint                    # endpoint | relay | any: which targets it is for
//! transport any                       # any | stream | ws: what it must run over
//!
//! scenario rfc4975-7.2-send-answered  # one scenario, until the next `scenario`
//!   clause RFC 4975 7.2               # the clause it checks
//!   title A SEND is answered 200 with its transaction id
//!   send                              # bytes to send: the `|` lines below, CRLF after each
//!   | MSRP ${tid} SEND
//!   | To-Path: ${to}
//!   | From-Path: ${from}
//!   | Message-ID: ${mid}
//!   | Byte-Range: 1-5/5
//!   | Content-Type: text/plain
//!   |
//!   | hello
//!   | -------${tid}$
//!   expect response 200 for tid within 2s
//! ```

mod parse;
mod template;

use std::time::Duration;

pub use parse::{ParseError, ParseErrorKind, parse};
pub use template::{Part, Template};

/// Most bytes one `send` may expand to (its `${repeat:...}`s included), so that a
/// scenario file cannot make the tester allocate without bound.
pub const MAX_SEND_BYTES: usize = 64 << 20;

/// Most bytes a scenario file may have.
pub const MAX_FILE_BYTES: usize = 4 << 20;

/// The default time an `expect` waits.
pub const DEFAULT_WITHIN: Duration = Duration::from_secs(2);

/// Most connections one `send connections N` opens.
pub const MAX_CONNECTIONS: u32 = 5000;

/// Most bytes a `send connections N` may send on each connection.
pub const MAX_HELD_SEND_BYTES: usize = 64 * 1024;

/// The default time a whole scenario may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);

/// One scenario file: a named suite of scenarios.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suite {
    /// Its name (`suite NAME`).
    pub name: String,
    /// The scenarios, in file order.
    pub scenarios: Vec<Scenario>,
}

/// Which kind of target a scenario is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Applies {
    /// An MSRP endpoint (a client, an SBC's endpoint side): the target URI is a session.
    Endpoint,
    /// A relay (RFC 4976): the target URI is the relay's.
    Relay,
    /// Either.
    Any,
}

impl Applies {
    /// Whether a scenario for `self` runs against a target of kind `target`.
    pub fn includes(self, target: Applies) -> bool {
        self == Applies::Any || target == Applies::Any || self == target
    }

    /// The word the file format uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Applies::Endpoint => "endpoint",
            Applies::Relay => "relay",
            Applies::Any => "any",
        }
    }
}

/// What a scenario needs to run over (`transport ws|stream|any`): some clauses are about
/// WebSocket framing (RFC 7977), some about a byte stream that TCP may cut anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// TCP or TLS, or WebSocket: every target.
    Any,
    /// A byte stream (TCP or TLS): not applicable to a WebSocket target.
    Stream,
    /// WebSocket (RFC 7977, a `ws` or `wss` target URI): not applicable to others.
    WebSocket,
}

impl Transport {
    /// The word the file format uses.
    pub fn as_str(self) -> &'static str {
        match self {
            Transport::Any => "any",
            Transport::Stream => "stream",
            Transport::WebSocket => "ws",
        }
    }
}

/// The kind of WebSocket message a `send` goes in (`send frame text|binary`); without
/// it, text when the bytes are UTF-8 and binary otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WsFrame {
    /// A text message (RFC 6455 opcode 1): UTF-8 only.
    Text,
    /// A binary message (opcode 2).
    Binary,
}

/// One scenario: steps played in order against the target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scenario {
    /// Its id (`scenario ID`): unique in its suite.
    pub id: String,
    /// The clause it checks (`clause ...`), e.g. `RFC 4975 7.2`.
    pub clause: String,
    /// What it checks, in a sentence (`title ...`).
    pub title: String,
    /// Which targets it is for (the file's `applies` unless it says otherwise).
    pub applies: Applies,
    /// A robustness scenario (`hostile`): run only when asked for.
    pub hostile: bool,
    /// The transport it needs (the file's `transport` unless it says otherwise).
    pub transport: Transport,
    /// The most the whole scenario may take (`timeout`).
    pub timeout: Duration,
    /// The steps.
    pub steps: Vec<Step>,
    /// The line of its `scenario` directive.
    pub line: usize,
}

/// One step, on one connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The line it was written on.
    pub line: usize,
    /// The connection it acts on (`@NAME` before it; `main` when not given).
    pub conn: String,
    /// What it does.
    pub action: Action,
}

/// How the `|` lines of a `send` end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnd {
    /// CRLF, as RFC 4975 requires.
    Crlf,
    /// LF only (`send lf`), as some peers write.
    Lf,
}

/// What a step does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Opens the connection now (connections otherwise open when first used).
    Connect,
    /// Sends bytes.
    Send {
        /// The bytes, with variables.
        template: Template,
        /// Written in pieces of this many bytes (`split N`), to check that the target
        /// reassembles what TCP splits.
        split: Option<usize>,
        /// The pause between pieces (`pause D`).
        pause: Duration,
        /// The bytes are sent this many times (`repeat N`).
        repeat: u32,
        /// Sent on this many new connections instead (`connections N`), each its own
        /// and held open until the scenario ends: many slow or idle peers at once.
        connections: Option<u32>,
        /// Over WebSocket, the kind of message each piece goes in (`frame text|binary`).
        frame: Option<WsFrame>,
    },
    /// Sends a WebSocket Ping (`ping`; RFC 7977 section 6, RFC 6455 section 5.5.2). Not
    /// applicable over a byte stream.
    Ping,
    /// Waits for something from the target.
    Expect(Expect),
    /// Waits (`wait D`), reading what comes meanwhile.
    Wait(Duration),
    /// Closes the connection.
    Close,
    /// AUTH to the target relay (RFC 4976 section 5): the 401 challenge, then the Digest
    /// response (`authenticate [user U password P | wrong-password] [expires N]
    /// [answer CODE[,CODE...]]`). The final
    /// answer must be `answer` (200 unless given); a 200 sets `${use-path}` and
    /// `${use-path-CONN}` from its Use-Path, and `${authorization}` is the Authorization
    /// value sent. Without `user`, the run's credentials are used (none: not applicable).
    Authenticate {
        /// The user name and password, if the scenario gives them.
        credentials: Option<(String, String)>,
        /// The run's user with a password that is not theirs (`wrong-password`).
        wrong_password: bool,
        /// The Expires asked for, if any.
        expires: Option<u64>,
        /// The final answers that pass.
        answer: Vec<u16>,
    },
    /// Checks that the target still serves: a new connection, a SEND (or an AUTH for a
    /// relay), its answer within the time given.
    Alive(Duration),
}

/// What an `expect` waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// A response (`expect response CODE[,CODE...] [for VAR] [within D] [na-on CODE,...]`)
    /// to the transaction id in variable `tid` (default `tid`). A code in `na_on` makes
    /// the scenario not applicable instead of failed (the target does not do what is
    /// checked, and may not have to).
    Response {
        /// The codes that pass.
        codes: Vec<u16>,
        /// The variable holding the transaction id.
        tid: String,
        /// How long to wait.
        within: Duration,
        /// Codes that make the scenario not applicable.
        na_on: Vec<u16>,
    },
    /// A request from the target (`expect request METHOD [status CODE] [within D]`):
    /// with `status`, a REPORT whose Status has that code.
    Request {
        /// The method name.
        method: String,
        /// The Status code a REPORT must carry.
        status: Option<u16>,
        /// How long to wait.
        within: Duration,
    },
    /// No chunk at all within the time (`expect nothing [within D]`).
    Nothing(Duration),
    /// The target closes the connection within the time (`expect closed [within D]`).
    Closed(Duration),
    /// A WebSocket Pong since the last `expect pong` (`expect pong [within D]`).
    Pong(Duration),
    /// Every WebSocket message the target sent on the connection so far held exactly one
    /// whole chunk (`expect framing`; RFC 7977 section 5.1). Not applicable over a byte
    /// stream.
    Framing,
    /// The last chunk matched has a body that contains the text (`expect body contains
    /// TEXT`; the first 64 KiB of the body are looked at).
    Body(Template),
    /// The last chunk matched has a header field whose value contains the text
    /// (`expect header NAME [contains TEXT]`; without `contains`, that it has the field).
    Header {
        /// The field name.
        name: String,
        /// What its value must contain (variables expanded).
        contains: Template,
    },
}
