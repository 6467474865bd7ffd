//! Offer/answer for MSRP media (RFC 3264 as RFC 4975 section 8, RFC 6135, RFC 5547 and
//! RFC 6714 apply it).

use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::builder::MsrpMediaBuilder;
use crate::error::SdpError;
use crate::media::{Direction, MediaDescription, Proto, Setup};
use crate::session::SessionDescription;
use msrp_uri::{Path, UriError};

/// Whether `pattern` (an accept-types entry: `*`, `type/*` or `type/subtype`, parameters
/// ignored) covers the media type `media_type`; case-insensitive (RFC 4975 section 8.6).
pub fn type_matches(pattern: &str, media_type: &str) -> bool {
    let (p, t) = (essence(pattern), essence(media_type));
    if p == "*" {
        return true;
    }
    let (Some((pt, ps)), Some((tt, ts))) = (p.split_once('/'), t.split_once('/')) else {
        return false;
    };
    pt.eq_ignore_ascii_case(tt) && (ps == "*" || ps.eq_ignore_ascii_case(ts))
}

/// A media type without its parameters.
fn essence(s: &str) -> &str {
    s.split(';').next().unwrap_or("").trim()
}

fn accepted_by(list: &[&str], media_type: &str) -> bool {
    list.iter().any(|p| type_matches(p, media_type))
}

/// May a message of `content_type` be sent to the peer whose media description is `peer`?
/// With `wrapped`, `content_type` is a container (such as `message/cpim`) holding a
/// `wrapped` body: the container must be in the peer's accept-types and the inner type in
/// its accept-types or accept-wrapped-types (RFC 4975 section 8.6). A `false` is what a
/// receiver would answer with 415.
pub fn may_send(peer: &MediaDescription, content_type: &str, wrapped: Option<&str>) -> bool {
    let accept = peer.accept_types();
    if !accepted_by(&accept, content_type) {
        return false;
    }
    match wrapped {
        None => true,
        Some(inner) => {
            accepted_by(&accept, inner) || accepted_by(&peer.accept_wrapped_types(), inner)
        }
    }
}

/// The To-Path for requests to the peer of `peer`: the local relays (from their Use-Path,
/// RFC 4976 section 6), then the URIs of the peer's `a=path`, in order.
pub fn to_path(
    peer: &MediaDescription,
    local_relays: Option<&Path>,
) -> Option<Result<Path, UriError>> {
    let peer_path = peer.path()?;
    Some(peer_path.map(|p| {
        let mut out: Path = local_relays
            .map(|r| r.iter().cloned().collect())
            .unwrap_or_default();
        out.extend(p);
        out
    }))
}

/// How the answerer chooses its `a=setup` role when the offer says `actpass`
/// (RFC 6135 section 4.2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SetupChoice {
    /// Answer `passive` (RFC 6135: SHOULD when not behind a NAT).
    #[default]
    Passive,
    /// Answer `active` (behind a NAT, or without a reachable address).
    Active,
}

/// What the local endpoint supports and prefers, for answering.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalPrefs {
    /// Port for the answer's `m=` line.
    pub port: u16,
    /// The local `a=path` (relays first, this endpoint's URI last).
    pub path: Path,
    /// Types this endpoint accepts as message bodies, in preference order.
    pub accept_types: Vec<String>,
    /// Types it accepts only wrapped in a container (CPIM).
    pub accept_wrapped_types: Vec<String>,
    /// Largest message it will receive (`a=max-size`).
    pub max_size: Option<u64>,
    /// Protocols it can use (`TCP/MSRP`, `TCP/TLS/MSRP`, ...).
    pub protos: Vec<String>,
    /// Role when the offer says `actpass`.
    pub setup: SetupChoice,
    /// Whether it supports MSRP-CEMA (RFC 6714).
    pub cema: bool,
    /// Whether it accepts file transfer offers (RFC 5547).
    pub accept_files: bool,
}

/// Why a media stream is rejected (answered with port 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum RejectReason {
    /// The offered media is not `message` over an MSRP protocol.
    #[error("not MSRP media")]
    NotMsrp,
    /// The offer itself has port 0.
    #[error("the offer rejects the stream (port 0)")]
    OfferedPortZero,
    /// The offered protocol (TCP, TLS, WebSocket) is not one the answerer supports.
    #[error("protocol not supported")]
    TransportMismatch,
    /// No type accepted by both sides.
    #[error("no common accept-types")]
    NoCommonType,
    /// A file transfer offer (RFC 5547) that the answerer does not take.
    #[error("file transfer declined")]
    FileTransferDeclined,
    /// The offer has no usable `a=path`.
    #[error("no valid a=path")]
    NoPath,
}

/// The answer to one offered media description.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The stream is accepted with this description.
    Accepted(MediaDescription),
    /// The stream is rejected: the description has port 0.
    Rejected {
        /// The `m=` line with port 0 (and the offer's proto and formats).
        media: MediaDescription,
        /// Why.
        reason: RejectReason,
    },
}

/// Entries of `ours` that `theirs` also accepts, with wildcard rules: an explicit type of
/// one side is kept when the other side lists it or covers it with `*` or `type/*`; of two
/// wildcards the narrower is kept. Local order first, then the offer's.
pub fn intersect<'a>(ours: &[&'a str], theirs: &[&'a str]) -> Vec<&'a str> {
    let mut out: Vec<&str> = Vec::new();
    let push = |t: &'a str, out: &mut Vec<&'a str>| {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(t)) {
            out.push(t);
        }
    };
    for o in ours {
        if accepted_by(theirs, o) && covers_fully(theirs, o) {
            push(o, &mut out);
        }
    }
    for t in theirs {
        if accepted_by(ours, t) && covers_fully(ours, t) {
            push(t, &mut out);
        }
    }
    out
}

/// Whether `entry` (possibly a wildcard) is entirely within what `list` accepts.
fn covers_fully(list: &[&str], entry: &str) -> bool {
    let e = essence(entry);
    if e == "*" {
        return list.iter().any(|p| p.trim() == "*");
    }
    match e.split_once('/') {
        Some((t, "*")) => list.iter().any(|p| {
            let p = essence(p);
            p == "*"
                || p.split_once('/')
                    .is_some_and(|(pt, ps)| ps == "*" && pt.eq_ignore_ascii_case(t))
        }),
        _ => accepted_by(list, e),
    }
}

/// Answers one offered MSRP media description (RFC 4975 section 8, RFC 6135, RFC 5547
/// sections 5-8, RFC 6714).
///
/// ```
/// use msrp_sdp::{Answer, LocalPrefs, SessionDescription, SetupChoice, answer};
///
/// let offer: SessionDescription = "v=0\r\no=a 1 1 IN IP4 a.example.com\r\ns=-\r\n\
///     c=IN IP4 a.example.com\r\nt=0 0\r\nm=message 7394 TCP/MSRP *\r\n\
///     a=accept-types:text/plain message/cpim\r\na=path:msrp://a.example.com:7394/x1;tcp\r\n\
///     a=setup:actpass\r\n".parse()?;
/// let prefs = LocalPrefs {
///     port: 8888,
///     path: "msrp://b.example.com:8888/y2;tcp".parse().unwrap(),
///     accept_types: vec!["text/*".into()],
///     accept_wrapped_types: vec![],
///     max_size: Some(65536),
///     protos: vec!["TCP/MSRP".into()],
///     setup: SetupChoice::Passive,
///     cema: false,
///     accept_files: false,
/// };
/// let Answer::Accepted(m) = answer(&offer.media[0], &prefs)? else { panic!() };
/// assert_eq!(m.accept_types(), ["text/plain"]);
/// assert_eq!(m.setup(), Some(msrp_sdp::Setup::Passive));
/// # Ok::<(), msrp_sdp::SdpError>(())
/// ```
pub fn answer(offer: &MediaDescription, prefs: &LocalPrefs) -> Result<Answer, SdpError> {
    let reject = |reason: RejectReason| -> Result<Answer, SdpError> {
        let fmt = offer.fmt().join(" ");
        let fmt = if fmt.is_empty() { "*".to_string() } else { fmt };
        let media = MediaDescription::new(&alloc::format!(
            "{} 0 {} {fmt}",
            offer.media(),
            offer.proto_str()
        ))?;
        Ok(Answer::Rejected { media, reason })
    };
    if offer.media() != "message" || !offer.proto().is_msrp() {
        return reject(RejectReason::NotMsrp);
    }
    if offer.port() == 0 {
        return reject(RejectReason::OfferedPortZero);
    }
    if !prefs
        .protos
        .iter()
        .any(|p| Proto::from_token(p) == offer.proto())
    {
        return reject(RejectReason::TransportMismatch);
    }
    if !matches!(offer.path(), Some(Ok(_))) {
        return reject(RejectReason::NoPath);
    }
    let file_offer = offer.file_selector().is_some();
    if file_offer && !prefs.accept_files {
        return reject(RejectReason::FileTransferDeclined);
    }
    let ours: Vec<&str> = prefs.accept_types.iter().map(String::as_str).collect();
    let types = intersect(&ours, &offer.accept_types());
    if types.is_empty() {
        return reject(RejectReason::NoCommonType);
    }
    // Wrapped types matter only when a container type survived the intersection.
    let ours_wrapped: Vec<&str> = prefs
        .accept_wrapped_types
        .iter()
        .map(String::as_str)
        .collect();
    let wrapped = if types
        .iter()
        .any(|t| type_matches(t, "message/cpim") || type_matches(t, "multipart/mixed"))
    {
        intersect(&ours_wrapped, &offer.accept_wrapped_types())
    } else {
        Vec::new()
    };

    let mut b = MsrpMediaBuilder::new(prefs.port, prefs.path.clone())
        .proto(offer.proto_str())
        .accept_types(types.iter().copied())
        .accept_wrapped_types(wrapped.iter().copied());
    if let Some(n) = prefs.max_size {
        b = b.max_size(n);
    }
    // RFC 6135 section 4.2: answer the offer's role; holdconn and absence mean the offerer
    // connects (RFC 4975's model), so the answerer is passive.
    let setup = match offer.setup() {
        Some(Setup::Active) | Some(Setup::HoldConn) | None => Setup::Passive,
        Some(Setup::Passive) => Setup::Active,
        Some(Setup::ActPass) => match prefs.setup {
            SetupChoice::Passive => Setup::Passive,
            SetupChoice::Active => Setup::Active,
        },
    };
    b = b.setup(setup);
    if prefs.cema && offer.msrp_cema() {
        b = b.msrp_cema(true);
    }
    // RFC 5547 sections 8.2-8.3: a push (sendonly) is answered recvonly, a pull (recvonly)
    // sendonly; the file-selector and file-transfer-id are echoed.
    if file_offer {
        let dir = match offer.direction() {
            Some(Direction::SendOnly) => Direction::RecvOnly,
            Some(Direction::RecvOnly) => Direction::SendOnly,
            Some(d) => d,
            None => Direction::SendRecv,
        };
        b = b.direction(dir);
        for name in ["file-selector", "file-transfer-id"] {
            if let Some(a) = offer.attribute(name) {
                b = b.attribute(name, a.value);
            }
        }
    } else if let Some(d) = offer.direction() {
        let dir = match d {
            Direction::SendOnly => Direction::RecvOnly,
            Direction::RecvOnly => Direction::SendOnly,
            other => other,
        };
        b = b.direction(dir);
    }
    Ok(Answer::Accepted(b.build()?))
}

/// Answers every media description of an offer: MSRP ones with [`answer`], others
/// rejected; the answer's session lines come from `origin` as in
/// [`OfferBuilder`](crate::OfferBuilder).
pub fn answer_session(
    offer: &SessionDescription,
    prefs: &LocalPrefs,
    origin: crate::OfferBuilder,
) -> Result<(SessionDescription, Vec<Option<RejectReason>>), SdpError> {
    let mut reasons = Vec::new();
    let mut b = origin;
    for m in &offer.media {
        match answer(m, prefs)? {
            Answer::Accepted(a) => {
                reasons.push(None);
                b = b.media(a);
            }
            Answer::Rejected { media, reason } => {
                reasons.push(Some(reason));
                b = b.media(media);
            }
        }
    }
    Ok((b.build()?, reasons))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn media(lines: &str) -> MediaDescription {
        let text = alloc::format!("m=message 7394 TCP/MSRP *\r\n{lines}");
        let (sdp, _) = SessionDescription::parse_with(
            text.as_bytes(),
            &crate::ParseOptions::STRICT.fragment(),
        )
        .unwrap();
        sdp.media[0].clone()
    }

    fn prefs() -> LocalPrefs {
        LocalPrefs {
            port: 8888,
            path: "msrp://b.example.com:8888/y2;tcp".parse().unwrap(),
            accept_types: vec!["text/plain".into(), "message/cpim".into()],
            accept_wrapped_types: vec!["*".into()],
            max_size: None,
            protos: vec!["TCP/MSRP".into()],
            setup: SetupChoice::Passive,
            cema: true,
            accept_files: true,
        }
    }

    const PATH: &str = "a=path:msrp://a.example.com:7394/x1;tcp\r\n";

    #[test]
    fn wildcards_intersect() {
        assert_eq!(
            intersect(&["text/*"], &["text/plain", "image/png"]),
            ["text/plain"]
        );
        assert_eq!(
            intersect(&["*"], &["text/plain", "image/*"]),
            ["text/plain", "image/*"]
        );
        assert_eq!(
            intersect(&["text/plain", "image/png"], &["*"]),
            ["text/plain", "image/png"]
        );
        assert_eq!(intersect(&["text/*"], &["*"]), ["text/*"]);
        assert_eq!(intersect(&["TEXT/Plain"], &["text/plain"]), ["TEXT/Plain"]);
        assert!(intersect(&["image/*"], &["text/plain"]).is_empty());
        assert!(type_matches("text/*", "text/html;charset=utf-8"));
        assert!(!type_matches("text/plain", "text/html"));
    }

    #[test]
    fn may_send_follows_accept_and_wrapped_types() {
        let peer = media(&alloc::format!(
            "a=accept-types:message/cpim text/plain\r\na=accept-wrapped-types:image/*\r\n{PATH}"
        ));
        assert!(may_send(&peer, "text/plain", None));
        assert!(!may_send(&peer, "image/png", None));
        assert!(may_send(&peer, "message/cpim", Some("image/png")));
        assert!(may_send(&peer, "message/cpim", Some("text/plain")));
        assert!(!may_send(&peer, "message/cpim", Some("video/mp4")));
        let relays: Path = "msrps://relay.example.net:2855/r;tcp".parse().unwrap();
        let to = to_path(&peer, Some(&relays)).unwrap().unwrap();
        assert_eq!(
            to.to_string(),
            "msrps://relay.example.net:2855/r;tcp msrp://a.example.com:7394/x1;tcp"
        );
    }

    #[test]
    fn setup_roles() {
        for (offered, choice, expected) in [
            ("a=setup:actpass\r\n", SetupChoice::Passive, Setup::Passive),
            ("a=setup:actpass\r\n", SetupChoice::Active, Setup::Active),
            ("a=setup:active\r\n", SetupChoice::Active, Setup::Passive),
            ("a=setup:passive\r\n", SetupChoice::Passive, Setup::Active),
            ("a=setup:holdconn\r\n", SetupChoice::Active, Setup::Passive),
            ("", SetupChoice::Active, Setup::Passive),
        ] {
            let offer = media(&alloc::format!(
                "a=accept-types:text/plain\r\n{PATH}{offered}"
            ));
            let p = LocalPrefs {
                setup: choice,
                ..prefs()
            };
            let Answer::Accepted(m) = answer(&offer, &p).unwrap() else {
                panic!()
            };
            assert_eq!(m.setup(), Some(expected), "{offered:?} {choice:?}");
        }
    }

    #[test]
    fn file_transfer_push_and_pull() {
        let push = media(&alloc::format!(
            "a=sendonly\r\na=accept-types:message/cpim\r\na=accept-wrapped-types:*\r\n{PATH}\
a=file-selector:name:\"a.jpg\" type:image/jpeg size:10\r\na=file-transfer-id:abc123\r\n"
        ));
        let Answer::Accepted(m) = answer(&push, &prefs()).unwrap() else {
            panic!()
        };
        assert_eq!(m.direction(), Some(Direction::RecvOnly));
        assert_eq!(m.file_transfer_id(), Some("abc123"));
        assert_eq!(m.file_selector().and_then(|s| s.name), Some("a.jpg"));
        assert_eq!(m.accept_wrapped_types(), ["*"]);
        let pull = media(&alloc::format!(
            "a=recvonly\r\na=accept-types:message/cpim\r\n{PATH}a=file-selector:hash:sha-1:72:24\r\n"
        ));
        let Answer::Accepted(m) = answer(&pull, &prefs()).unwrap() else {
            panic!()
        };
        assert_eq!(m.direction(), Some(Direction::SendOnly));
        let no_files = LocalPrefs {
            accept_files: false,
            ..prefs()
        };
        let Answer::Rejected { media, reason } = answer(&push, &no_files).unwrap() else {
            panic!()
        };
        assert_eq!(
            (media.port(), reason),
            (0, RejectReason::FileTransferDeclined)
        );
    }

    #[test]
    fn rejections() {
        let offer = media(&alloc::format!("a=accept-types:image/png\r\n{PATH}"));
        let Answer::Rejected {
            reason,
            media: rejected,
        } = answer(&offer, &prefs()).unwrap()
        else {
            panic!()
        };
        assert_eq!(reason, RejectReason::NoCommonType);
        assert_eq!(rejected.to_string(), "m=message 0 TCP/MSRP *\r\n");
        let tls = LocalPrefs {
            protos: vec!["TCP/TLS/MSRP".into()],
            ..prefs()
        };
        let offer = media(&alloc::format!("a=accept-types:text/plain\r\n{PATH}"));
        assert!(matches!(
            answer(&offer, &tls).unwrap(),
            Answer::Rejected {
                reason: RejectReason::TransportMismatch,
                ..
            }
        ));
    }

    #[test]
    fn cema_only_when_both_support_it() {
        let offer = media(&alloc::format!(
            "a=accept-types:text/plain\r\n{PATH}a=msrp-cema\r\n"
        ));
        let Answer::Accepted(m) = answer(&offer, &prefs()).unwrap() else {
            panic!()
        };
        assert!(m.msrp_cema());
        let Answer::Accepted(m) = answer(
            &offer,
            &LocalPrefs {
                cema: false,
                ..prefs()
            },
        )
        .unwrap() else {
            panic!()
        };
        assert!(!m.msrp_cema());
    }
}
