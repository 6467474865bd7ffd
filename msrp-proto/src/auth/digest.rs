//! HTTP Digest authentication (RFC 2617 section 3.2) as RFC 4976 section 9.1 profiles it
//! for AUTH requests: MD5 only (never MD5-sess), `qop=auth` always (never `auth-int`), a
//! cnonce and a nonce count in every `Authorization`, and the request-URI of H(A2) being
//! the rightmost To-Path URI (the relay's URI).
//!
//! ```
//! use msrp_proto::auth::{Challenge, Credentials};
//!
//! // The challenge of RFC 4976 section 5.1 (Alice's first relay).
//! let challenge = Challenge::parse(
//!     r#"Digest realm="intra.example.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093""#,
//! )?;
//! assert_eq!(challenge.realm, "intra.example.com");
//! assert!(!challenge.stale);
//! # #[cfg(feature = "auth")] {
//! let alice = Credentials::new("Alice", "secret");
//! let value = challenge.authorization(
//!     &alice,
//!     "AUTH",
//!     "msrps://alice@intra.example.com;tcp",
//!     "0a4f113b",
//!     1,
//! )?;
//! assert!(value.starts_with(r#"Digest username="Alice", realm="intra.example.com", "#));
//! assert!(value.ends_with(r#"qop=auth, nc=00000001, cnonce="0a4f113b""#));
//! # }
//! # Ok::<(), msrp_proto::auth::DigestError>(())
//! ```

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use crate::wire::digest::{DigestParams, Form, check};

/// Why a Digest header field could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DigestError {
    /// The value does not follow the grammar of RFC 4976 section 7 (nor the tolerated
    /// white space around commas).
    #[error("malformed Digest header field: {0}")]
    Syntax(&'static str),
    /// A parameter the challenge must carry (RFC 4976 section 7, errata 1277: realm,
    /// nonce, qop) is absent.
    #[error("the challenge has no {0} parameter")]
    Missing(&'static str),
    /// The challenge does not offer `qop="auth"`: RFC 4976 section 9.1 makes qop
    /// mandatory and forbids `auth-int`.
    #[error("the challenge does not offer qop=auth (RFC 4976 section 9.1)")]
    NoQopAuth,
    /// An algorithm other than MD5 (RFC 4976 section 9.1 forbids MD5-sess).
    #[error("unsupported Digest algorithm {0:?} (RFC 4976 section 9.1: MD5 only)")]
    UnsupportedAlgorithm(String),
    /// The credentials were given for another realm than the challenge names.
    #[error("the credentials are for realm {expected:?}, the challenge is for {got:?}")]
    RealmMismatch {
        /// The credentials' realm.
        expected: String,
        /// The challenge's realm.
        got: String,
    },
    /// Computing digests needs the crate's `auth` feature.
    #[error("Digest authentication was not built (feature `auth`)")]
    NotBuilt,
}

/// A user name and password for a relay, from the application (RFC 4976 section 5.1).
///
/// `Debug` does not show the password.
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The user name (`username` of the Authorization).
    pub username: String,
    password: String,
    /// The realm these credentials are for; `None`: whatever realm the relay challenges
    /// with. A challenge for another realm fails with [`DigestError::RealmMismatch`].
    pub realm: Option<String>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .field("password", &"<hidden>")
            .field("realm", &self.realm)
            .finish()
    }
}

impl Credentials {
    /// Credentials for any realm.
    pub fn new(username: impl Into<String>, password: impl Into<String>) -> Credentials {
        Credentials {
            username: username.into(),
            password: password.into(),
            realm: None,
        }
    }

    /// The password.
    pub(crate) fn password(&self) -> &str {
        &self.password
    }

    /// Only for challenges of this realm.
    #[must_use]
    pub fn realm(mut self, realm: impl Into<String>) -> Credentials {
        self.realm = Some(realm.into());
        self
    }
}

/// A `WWW-Authenticate` Digest challenge (RFC 2617 section 3.2.1, RFC 4976 sections 7 and
/// 9.1), quoted values unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Challenge {
    /// The protection space (`realm`).
    pub realm: String,
    /// The server's nonce.
    pub nonce: String,
    /// `opaque`, returned unchanged in the Authorization.
    pub opaque: Option<String>,
    /// `algorithm` as written (absent means MD5).
    pub algorithm: Option<String>,
    /// The qop values offered (`qop="auth"` gives `["auth"]`).
    pub qop: Vec<String>,
    /// `stale=true`: the previous nonce expired but the credentials were right, so
    /// answering again is expected (RFC 2617 section 3.2.1).
    pub stale: bool,
}

/// A quoted-string's content with `\` escapes resolved.
fn unescape(v: &str) -> String {
    let mut out = String::with_capacity(v.len());
    let mut escaped = false;
    for c in v.chars() {
        if escaped || c != '\\' {
            out.push(c);
            escaped = false;
        } else {
            escaped = true;
        }
    }
    out
}

/// `v` as a quoted-string (`"` and `\` escaped).
fn quote(out: &mut String, v: &str) {
    out.push('"');
    for c in v.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
}

/// Whether a text can go in a quoted-string of a header field (no CR, LF or other
/// control characters).
fn quotable(v: &str) -> bool {
    v.bytes().all(|b| b == b'\t' || b >= 0x20) && !v.bytes().any(|b| b == 0x7f)
}

/// The checked parameters of a Digest header value.
fn params(value: &[u8], form: Form) -> Result<DigestParams<'_>, DigestError> {
    // White space around commas is tolerated (real relays write it): a client should
    // accept what it can read.
    check(value, form).map_err(DigestError::Syntax)?;
    Ok(DigestParams::new(value, form))
}

impl Challenge {
    /// Parses a `WWW-Authenticate` value (`Digest realm="...", nonce="...", ...`).
    /// Fails with a [`DigestError`] when it is malformed, lacks realm, nonce or qop, does
    /// not offer `qop=auth`, or names an algorithm other than MD5 (RFC 4976 section 9.1).
    /// Unknown parameters (and `domain`, which clients must ignore) are skipped.
    pub fn parse(value: &str) -> Result<Challenge, DigestError> {
        Challenge::parse_bytes(value.as_bytes())
    }

    /// [`Challenge::parse`] of a value as bytes (a header field as received).
    pub fn parse_bytes(value: &[u8]) -> Result<Challenge, DigestError> {
        let p = params(value, Form::Challenge)?;
        let get = |name| p.get(name).map(unescape);
        let realm = get("realm").ok_or(DigestError::Missing("realm"))?;
        let nonce = get("nonce").ok_or(DigestError::Missing("nonce"))?;
        if nonce.is_empty() {
            return Err(DigestError::Missing("nonce"));
        }
        let qop_list = get("qop").ok_or(DigestError::Missing("qop"))?;
        let qop: Vec<String> = qop_list
            .split(',')
            .map(|q| String::from(q.trim()))
            .filter(|q| !q.is_empty())
            .collect();
        if !qop.iter().any(|q| q.eq_ignore_ascii_case("auth")) {
            return Err(DigestError::NoQopAuth);
        }
        let algorithm = get("algorithm");
        if let Some(a) = &algorithm {
            if !a.eq_ignore_ascii_case("MD5") {
                return Err(DigestError::UnsupportedAlgorithm(a.clone()));
            }
        }
        let stale = p
            .get("stale")
            .is_some_and(|s| s.eq_ignore_ascii_case("true"));
        for v in [&realm, &nonce] {
            if !quotable(v) {
                return Err(DigestError::Syntax("control character in a parameter"));
            }
        }
        Ok(Challenge {
            realm,
            nonce,
            opaque: get("opaque").filter(|o| quotable(o)),
            algorithm,
            qop,
            stale,
        })
    }

    /// Whether `credentials` may answer this challenge (their realm, if they name one, is
    /// the challenge's).
    pub fn accepts(&self, credentials: &Credentials) -> Result<(), DigestError> {
        match &credentials.realm {
            Some(r) if *r != self.realm => Err(DigestError::RealmMismatch {
                expected: r.clone(),
                got: self.realm.clone(),
            }),
            _ => Ok(()),
        }
    }

    /// The `Authorization` value answering this challenge for a request with `method`
    /// whose rightmost To-Path URI is `uri` (RFC 4976 section 9.1), with client nonce
    /// `cnonce` and nonce count `nc` (1 for the first request with this nonce, counting
    /// up: RFC 2617 section 3.2.2):
    ///
    /// `Digest username="..", realm="..", nonce="..", uri="..", response="..",
    /// [algorithm=MD5, ][opaque="..", ]qop=auth, nc=00000001, cnonce=".."` (nc in 8 hex digits)
    pub fn authorization(
        &self,
        credentials: &Credentials,
        method: &str,
        uri: &str,
        cnonce: &str,
        nc: u32,
    ) -> Result<String, DigestError> {
        self.accepts(credentials)?;
        if !quotable(&credentials.username) || !quotable(uri) || !quotable(cnonce) {
            return Err(DigestError::Syntax("control character in a parameter"));
        }
        let input = DigestInput {
            username: &credentials.username,
            password: &credentials.password,
            realm: &self.realm,
            nonce: &self.nonce,
            method,
            uri,
            cnonce,
            nc,
        };
        let response = input.response()?;
        let mut v = String::with_capacity(256);
        v.push_str("Digest username=");
        quote(&mut v, &credentials.username);
        v.push_str(", realm=");
        quote(&mut v, &self.realm);
        v.push_str(", nonce=");
        quote(&mut v, &self.nonce);
        v.push_str(", uri=");
        quote(&mut v, uri);
        v.push_str(", response=\"");
        v.push_str(response.as_str());
        v.push('"');
        if self.algorithm.is_some() {
            v.push_str(", algorithm=MD5");
        }
        if let Some(o) = &self.opaque {
            v.push_str(", opaque=");
            quote(&mut v, o);
        }
        // Unquoted qop in an Authorization (RFC 4976 section 9.1).
        v.push_str(", qop=auth, nc=");
        v.push_str(&nc_hex(nc));
        v.push_str(", cnonce=");
        quote(&mut v, cnonce);
        Ok(v)
    }
}

/// A nonce count as 8 lower-case hex digits (`nc-value = 8LHEX`).
pub fn nc_hex(nc: u32) -> String {
    let mut s = String::with_capacity(8);
    for shift in (0..8).rev() {
        let d = (nc >> (shift * 4)) & 0xf;
        s.push(char::from(HEX[d as usize]));
    }
    s
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// A digest as 32 lower-case hex digits (`request-digest`, RFC 2617 section 3.2.2).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct HexDigest([u8; 32]);

impl HexDigest {
    /// The 32 hex digits.
    pub fn as_str(&self) -> &str {
        // Only ASCII hex digits are ever stored.
        core::str::from_utf8(&self.0).unwrap_or("")
    }
}

impl fmt::Debug for HexDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for HexDigest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a `qop=auth` Digest response is computed from (RFC 2617 section 3.2.2.1).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct DigestInput<'a> {
    /// `username`.
    pub username: &'a str,
    /// The password.
    pub password: &'a str,
    /// `realm` of the challenge.
    pub realm: &'a str,
    /// `nonce` of the challenge.
    pub nonce: &'a str,
    /// The request's method (`AUTH`).
    pub method: &'a str,
    /// `digest-uri`: the rightmost To-Path URI (RFC 4976 section 9.1).
    pub uri: &'a str,
    /// The client nonce.
    pub cnonce: &'a str,
    /// The nonce count.
    pub nc: u32,
}

impl fmt::Debug for DigestInput<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DigestInput")
            .field("username", &self.username)
            .field("realm", &self.realm)
            .field("nonce", &self.nonce)
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("cnonce", &self.cnonce)
            .field("nc", &self.nc)
            .finish_non_exhaustive()
    }
}

#[cfg(feature = "auth")]
mod md5_impl {
    use super::{HEX, HexDigest};
    use md5::{Digest, Md5};

    /// MD5 of the parts joined with `:`, in hex.
    pub(super) fn h(parts: &[&[u8]]) -> HexDigest {
        let mut m = Md5::new();
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                m.update(b":");
            }
            m.update(p);
        }
        let d = m.finalize();
        let mut out = [0u8; 32];
        for (i, b) in d.iter().enumerate() {
            out[2 * i] = HEX[usize::from(b >> 4)];
            out[2 * i + 1] = HEX[usize::from(b & 0xf)];
        }
        HexDigest(out)
    }
}

impl DigestInput<'_> {
    #[cfg(feature = "auth")]
    fn with_a2(&self, a2_method: &str) -> HexDigest {
        use md5_impl::h;
        // A1 = unq(username) ":" unq(realm) ":" passwd (section 3.2.2.2)
        let ha1 = h(&[
            self.username.as_bytes(),
            self.realm.as_bytes(),
            self.password.as_bytes(),
        ]);
        // A2 = Method ":" digest-uri-value (section 3.2.2.3, qop=auth)
        let ha2 = h(&[a2_method.as_bytes(), self.uri.as_bytes()]);
        let nc = nc_hex(self.nc);
        // KD(H(A1), unq(nonce) ":" nc ":" unq(cnonce) ":" unq(qop) ":" H(A2))
        h(&[
            ha1.as_str().as_bytes(),
            self.nonce.as_bytes(),
            nc.as_bytes(),
            self.cnonce.as_bytes(),
            b"auth",
            ha2.as_str().as_bytes(),
        ])
    }

    /// The `response` of the Authorization (RFC 2617 section 3.2.2.1, qop=auth, MD5).
    /// Fails only without the `auth` feature.
    pub fn response(&self) -> Result<HexDigest, DigestError> {
        #[cfg(feature = "auth")]
        {
            Ok(self.with_a2(self.method))
        }
        #[cfg(not(feature = "auth"))]
        {
            Err(DigestError::NotBuilt)
        }
    }

    /// The `rspauth` a server proves itself with in Authentication-Info (RFC 2617 section
    /// 3.2.3: as the response, with an empty method in A2).
    pub fn rspauth(&self) -> Result<HexDigest, DigestError> {
        #[cfg(feature = "auth")]
        {
            Ok(self.with_a2(""))
        }
        #[cfg(not(feature = "auth"))]
        {
            Err(DigestError::NotBuilt)
        }
    }
}

/// An `Authentication-Info` value (RFC 2617 section 3.2.3, RFC 4976 section 7).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct AuthInfo {
    /// The nonce to use in the next Authorization.
    pub nextnonce: Option<String>,
    /// The server's proof that it knows the password (`rspauth`).
    pub rspauth: Option<String>,
    /// The client nonce it answers.
    pub cnonce: Option<String>,
    /// The nonce count it answers.
    pub nc: Option<u32>,
    /// `qop`.
    pub qop: Option<String>,
}

impl AuthInfo {
    /// Parses an `Authentication-Info` value. A malformed `nc` is a
    /// [`DigestError::Syntax`].
    pub fn parse(value: &str) -> Result<AuthInfo, DigestError> {
        AuthInfo::parse_bytes(value.as_bytes())
    }

    /// [`AuthInfo::parse`] of a value as bytes.
    pub fn parse_bytes(value: &[u8]) -> Result<AuthInfo, DigestError> {
        let p = params(value, Form::Info)?;
        let get = |name| p.get(name).map(unescape);
        let nc = match p.get("nc") {
            None => None,
            Some(v) if v.len() == 8 && v.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Some(u32::from_str_radix(v, 16).map_err(|_| DigestError::Syntax("bad nc"))?)
            }
            Some(_) => return Err(DigestError::Syntax("nc is not 8 hex digits")),
        };
        Ok(AuthInfo {
            nextnonce: get("nextnonce").filter(|n| !n.is_empty() && quotable(n)),
            rspauth: get("rspauth"),
            cnonce: get("cnonce"),
            nc,
            qop: get("qop"),
        })
    }

    /// Whether `rspauth` (when present) proves the server knows the password for the
    /// request `input` described: `None` when there is no rspauth or it answers another
    /// cnonce or nonce count, or without the `auth` feature.
    pub fn verify(&self, input: &DigestInput<'_>) -> Option<bool> {
        let rspauth = self.rspauth.as_deref()?;
        if self.cnonce.as_deref().is_some_and(|c| c != input.cnonce)
            || self.nc.is_some_and(|n| n != input.nc)
        {
            return None;
        }
        let expected = input.rspauth().ok()?;
        Some(rspauth.eq_ignore_ascii_case(expected.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 2617 section 3.5: the worked example.
    #[cfg(feature = "auth")]
    #[test]
    fn rfc2617_example() {
        let input = DigestInput {
            username: "Mufasa",
            password: "Circle Of Life",
            realm: "testrealm@host.com",
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
            method: "GET",
            uri: "/dir/index.html",
            cnonce: "0a4f113b",
            nc: 1,
        };
        assert_eq!(
            input.response().unwrap().as_str(),
            "6629fae49393a05397450978507c4ef1"
        );
        // The same through a parsed challenge and Authorization.
        let c = Challenge::parse(
            r#"Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41""#,
        )
        .unwrap();
        assert_eq!(c.qop, ["auth", "auth-int"]);
        let creds = Credentials::new("Mufasa", "Circle Of Life");
        let v = c
            .authorization(&creds, "GET", "/dir/index.html", "0a4f113b", 1)
            .unwrap();
        assert_eq!(
            v,
            r#"Digest username="Mufasa", realm="testrealm@host.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41", qop=auth, nc=00000001, cnonce="0a4f113b""#
        );
        // What we write is what the parser's grammar (RFC 4976 section 7) accepts exactly.
        assert_eq!(check(v.as_bytes(), Form::Challenge), Ok(false));
    }

    /// RFC 4976 section 5.1's Alice: the Authorization it shows reuses RFC 2617's response
    /// value (it is not computable: the example never gives Alice's password, and the
    /// method and URI differ). What can be checked: the challenge and Authentication-Info
    /// parse, and our Authorization has the shape shown.
    #[test]
    fn rfc4976_example_headers() {
        let c = Challenge::parse(
            r#"Digest realm="intra.example.com", qop="auth", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093""#,
        )
        .unwrap();
        assert_eq!(c.nonce, "dcd98b7102dd2f0e8b11d0f600bfb0c093");
        assert_eq!((c.opaque.as_deref(), c.algorithm.as_deref()), (None, None));
        let info = AuthInfo::parse(
            r#"nextnonce="40f2e879449675f288476d772627370a",rspauth="7327570c586207eca2afae94fc20903d",cnonce="0a4f113b",nc=00000001,qop=auth"#,
        )
        .unwrap();
        assert_eq!(
            info.nextnonce.as_deref(),
            Some("40f2e879449675f288476d772627370a")
        );
        assert_eq!(info.nc, Some(1));
        assert_eq!(info.qop.as_deref(), Some("auth"));
        // With spaces after the commas, as the RFC's example prints it.
        let spaced = AuthInfo::parse(
            r#"nextnonce="bz8V080GEA2sLyEDpITF2AZCq7gIkc", rspauth="72f109ed2755d7ed0d0a213ec653b3f2", cnonce="85a0dca8", nc=00000001, qop=auth"#,
        )
        .unwrap();
        assert_eq!(spaced.cnonce.as_deref(), Some("85a0dca8"));
    }

    #[cfg(feature = "auth")]
    #[test]
    fn rspauth_round_trip() {
        let input = DigestInput {
            username: "alice",
            password: "msrp-secret",
            realm: "127.0.0.1",
            nonce: "abc",
            method: "AUTH",
            uri: "msrp://127.0.0.1:2857;tcp",
            cnonce: "xyz",
            nc: 1,
        };
        let good = input.rspauth().unwrap();
        assert_ne!(good, input.response().unwrap());
        let mut info = AuthInfo {
            rspauth: Some(String::from(good.as_str())),
            cnonce: Some(String::from("xyz")),
            nc: Some(1),
            ..AuthInfo::default()
        };
        assert_eq!(info.verify(&input), Some(true));
        info.rspauth = Some(String::from("00000000000000000000000000000000"));
        assert_eq!(info.verify(&input), Some(false));
        info.nc = Some(2);
        assert_eq!(info.verify(&input), None, "answers another request");
        assert_eq!(AuthInfo::default().verify(&input), None);
    }

    #[test]
    fn bad_challenges_are_typed_errors() {
        let cases: &[(&str, DigestError)] = &[
            (
                r#"Digest realm="r", qop="auth""#,
                DigestError::Missing("nonce"),
            ),
            (
                r#"Digest realm="r", nonce="", qop="auth""#,
                DigestError::Missing("nonce"),
            ),
            (
                r#"Digest nonce="n", qop="auth""#,
                DigestError::Missing("realm"),
            ),
            (
                r#"Digest realm="r", nonce="n""#,
                DigestError::Missing("qop"),
            ),
            (
                r#"Digest realm="r", nonce="n", qop="auth-int""#,
                DigestError::NoQopAuth,
            ),
            (
                r#"Digest realm="r", nonce="n", qop="auth", algorithm=MD5-sess"#,
                DigestError::UnsupportedAlgorithm(String::from("MD5-sess")),
            ),
        ];
        for (v, e) in cases {
            assert_eq!(Challenge::parse(v).as_ref(), Err(e), "{v}");
        }
        for garbage in [
            "",
            "Digest",
            "Digest ",
            "Basic realm=\"r\"",
            "Digest realm=\"r",
            "Digest ===",
            "Digest realm=\"r\",,nonce=\"n\"",
            "\u{0}\u{1}\u{ff}",
        ] {
            assert!(
                matches!(Challenge::parse(garbage), Err(DigestError::Syntax(_))),
                "{garbage:?}"
            );
        }
        assert!(AuthInfo::parse("nc=123").is_err());
        assert!(AuthInfo::parse("nc=0000000g").is_err());
    }

    #[test]
    fn tolerant_and_escaped() {
        let c = Challenge::parse(
            r#"Digest realm="a \"b\"",nonce="n1" ,  qop="auth", stale=TRUE, algorithm=md5, domain="x""#,
        )
        .unwrap();
        assert_eq!(c.realm, "a \"b\"");
        assert!(c.stale);
        #[cfg(feature = "auth")]
        {
            let v = c
                .authorization(
                    &Credentials::new("u\"x", "p"),
                    "AUTH",
                    "msrp://r:1;tcp",
                    "c",
                    255,
                )
                .unwrap();
            assert!(v.contains(r#"username="u\"x", realm="a \"b\"""#), "{v}");
            assert!(v.contains("algorithm=MD5, qop=auth, nc=000000ff"), "{v}");
            assert_eq!(check(v.as_bytes(), Form::Challenge), Ok(false));
        }
        let other = Credentials::new("u", "p").realm("elsewhere");
        assert!(matches!(
            c.accepts(&other),
            Err(DigestError::RealmMismatch { .. })
        ));
        assert_eq!(nc_hex(0xdead_beef), "deadbeef");
        assert!(
            !alloc::format!("{other:?}").contains("\"p\""),
            "the password is not shown"
        );
    }
}
