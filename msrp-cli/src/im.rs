//! Instant messages as RCS and SIP chat clients send them: text wrapped in `message/cpim`
//! (RFC 3862), IMDN requests and notifications (RFC 5438) and is-composing indications
//! (RFC 3994), on top of msrp-cpim. Shared by `send`, `listen` and `chat`.

use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use clap::{Args, ValueEnum};
use msrp_cpim::{
    ComposingState, CpimMessage, DeliveryStatus, DisplayStatus, Disposition, IMDN_CONTENT_TYPE,
    IMDN_NAMESPACE, IMDN_PREFIX, ISCOMPOSING_CONTENT_TYPE, Imdn, IsComposing, Notification,
    ParseOptions,
};
use msrp_proto::wire::random_id;
use msrp_tokio::{OsRandom, Session};
use serde_json::{Value, json};

use crate::output::{event, say};

/// The media type of a CPIM wrapper.
pub(crate) const CPIM_CONTENT_TYPE: &str = "message/cpim";

/// A notification `--imdn` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Want {
    /// positive-delivery: the peer's client received it.
    Delivery,
    /// display: the peer's user was shown it.
    Display,
}

impl Want {
    fn disposition(self) -> Disposition<'static> {
        match self {
            Want::Delivery => Disposition::PositiveDelivery,
            Want::Display => Disposition::Display,
        }
    }

    /// Whether `n` answers this request.
    pub(crate) fn answered_by(self, n: &Notification) -> bool {
        matches!(
            (self, n),
            (Want::Delivery, Notification::Delivery(_)) | (Want::Display, Notification::Display(_))
        )
    }

    /// How output names it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Want::Delivery => "delivery",
            Want::Display => "display",
        }
    }
}

/// The CPIM options of `msrp send` and `msrp chat`.
#[derive(Debug, Clone, Args)]
pub(crate) struct CpimArgs {
    /// Wrap each text message in message/cpim (RFC 3862), as RCS clients do: From and
    /// To (this side's and the peer's session URI unless --cpim-from/--cpim-to say
    /// otherwise), DateTime, and the text as a text/plain MIME body.
    #[arg(long)]
    pub(crate) cpim: bool,
    /// Ask for these IMDN notifications (RFC 5438), comma-separated: delivery, display.
    /// Implies --cpim (IMDN headers are CPIM headers).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        value_name = "delivery,display"
    )]
    pub(crate) imdn: Vec<Want>,
    /// The CPIM From address (a URI, optionally with a display name: `Alice
    /// <im:alice@example.com>`).
    #[arg(long, value_name = "ADDRESS")]
    cpim_from: Option<String>,
    /// The CPIM To address (default: the peer's session URI; with `chat --listen`, which
    /// does not know it in advance, `<sip:anonymous@anonymous.invalid>`).
    #[arg(long, value_name = "ADDRESS")]
    cpim_to: Option<String>,
}

/// Wraps text in CPIM, as [`CpimArgs`] says.
#[derive(Debug, Clone)]
pub(crate) struct Wrapper {
    from: String,
    to: String,
    imdn: Vec<Want>,
}

/// A message wrapped for sending.
pub(crate) struct Wrapped {
    /// The `message/cpim` body.
    pub(crate) body: Bytes,
    /// Its imdn.Message-ID when notifications were asked for.
    pub(crate) imdn_id: Option<String>,
}

impl Wrapper {
    /// The wrapper `args` ask for, with `local` and `peer` (session URIs) as the default
    /// addresses; `None` without --cpim or --imdn.
    pub(crate) fn new(args: &CpimArgs, local: &str, peer: &str) -> Option<Wrapper> {
        if !args.cpim && args.imdn.is_empty() {
            return None;
        }
        // A path through relays is several URIs: the peer is the last one.
        let addr = |given: &Option<String>, path: &str| {
            let uri = path.split_whitespace().last().unwrap_or(path);
            given.clone().unwrap_or(format!("<{uri}>"))
        };
        Some(Wrapper {
            from: addr(&args.cpim_from, local),
            to: addr(&args.cpim_to, peer),
            imdn: args.imdn.clone(),
        })
    }

    /// The notifications asked for.
    pub(crate) fn wanted(&self) -> &[Want] {
        &self.imdn
    }

    /// `body` of type `content_type` in a CPIM message (RFC 3862 section 3; the IMDN
    /// headers of RFC 5438 section 6 when notifications are asked for, with the DateTime
    /// they need).
    pub(crate) fn wrap(&self, content_type: &str, body: Bytes) -> Result<Wrapped, String> {
        let mut b = CpimMessage::builder()
            .from(&self.from)
            .to(&self.to)
            .datetime(&now_datetime());
        let mut imdn_id = None;
        if !self.imdn.is_empty() {
            let id = new_id();
            let wanted: Vec<Disposition<'_>> = self.imdn.iter().map(|w| w.disposition()).collect();
            b = b
                .ns(IMDN_PREFIX, IMDN_NAMESPACE)
                .imdn_message_id(&id)
                .disposition_notification(&wanted);
            imdn_id = Some(id);
        }
        let msg = b
            .content_type(content_type)
            .body(body)
            .build()
            .map_err(|e| format!("cannot wrap the message in CPIM: {e}"))?;
        Ok(Wrapped {
            body: msg.to_bytes(),
            imdn_id,
        })
    }
}

/// A new random id (for imdn.Message-ID).
fn new_id() -> String {
    random_id(&mut OsRandom::new()).as_str().to_owned()
}

/// The current time as an RFC 3339 date-time in UTC (CPIM DateTime, RFC 3862 section
/// 3.3.6), to the second.
pub(crate) fn now_datetime() -> String {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    datetime_of(secs)
}

/// `secs` since 1970-01-01T00:00:00Z as `YYYY-MM-DDTHH:MM:SSZ`.
fn datetime_of(secs: u64) -> String {
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

/// The Gregorian date `days` after 1970-01-01 (days counted in 400-year eras of 146097
/// days, each year taken to start on March 1st so that the leap day comes last).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468; // days since 0000-03-01
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + u64::from(m <= 2);
    (y, m, d)
}

/// What a message from the peer is, once its CPIM wrapper (if any) is read.
pub(crate) enum Content {
    /// A CPIM message around text (or another type): shown or stored.
    Im(CpimMessage),
    /// An IMDN (RFC 5438 section 7.2): a notification about a message this side sent.
    Notification(Imdn),
    /// An is-composing indication (RFC 3994), bare or wrapped.
    Composing(IsComposing),
    /// Not CPIM, or a CPIM message this tool cannot read: taken as it is.
    Plain,
}

/// Reads a message from the peer (tolerant, as real clients write CPIM).
pub(crate) fn read(content_type: &str, body: &Bytes) -> Content {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == ISCOMPOSING_CONTENT_TYPE {
        return IsComposing::parse(body).map_or(Content::Plain, Content::Composing);
    }
    if essence != CPIM_CONTENT_TYPE {
        return Content::Plain;
    }
    let Ok((msg, _)) = CpimMessage::parse_with(body.clone(), &ParseOptions::TOLERANT) else {
        return Content::Plain;
    };
    match msg.media_type().as_deref() {
        Some(IMDN_CONTENT_TYPE) => match Imdn::parse(msg.body()) {
            Ok(n) => Content::Notification(n),
            Err(_) => Content::Im(msg),
        },
        Some(ISCOMPOSING_CONTENT_TYPE) => match IsComposing::parse(msg.body()) {
            Ok(c) => Content::Composing(c),
            Err(_) => Content::Im(msg),
        },
        _ => Content::Im(msg),
    }
}

/// The text of a CPIM message's body, when it is a `text/*` type in UTF-8.
pub(crate) fn text_of(im: &CpimMessage) -> Option<&str> {
    let ty = im.media_type()?;
    ty.starts_with("text/")
        .then(|| std::str::from_utf8(im.body()).ok())
        .flatten()
}

/// The `message/cpim` body that tells the sender of `im` it was delivered (`display`:
/// displayed), if it asked (RFC 5438 sections 7.2.1.1 and 7.2.1.2); `None` if it did not
/// or gave no imdn.Message-ID or DateTime to refer to.
pub(crate) fn answer(im: &CpimMessage, display: bool) -> Option<Bytes> {
    let asked = im.disposition_notification()?;
    let n = if display {
        asked
            .display()
            .then_some(Notification::Display(DisplayStatus::Displayed))?
    } else {
        asked
            .positive_delivery()
            .then_some(Notification::Delivery(DeliveryStatus::Delivered))?
    };
    let imdn = Imdn::for_message(im, n)?;
    match imdn.to_message(im, &new_id()) {
        Ok(m) => Some(m.to_bytes()),
        Err(e) => {
            tracing::warn!(error = %e, "the IMDN cannot be written");
            None
        }
    }
}

/// Sends `answer(im, display)` back over `session` if `im` asked for it, without waiting:
/// the send resolves when the peer has it (or fails), and says so then.
pub(crate) fn answer_in_background(session: &Session, im: &CpimMessage, display: bool, json: bool) {
    let Some(body) = answer(im, display) else {
        return;
    };
    let about = im.imdn_message_id().unwrap_or_default().to_owned();
    let (kind, status) = if display {
        ("display", "displayed")
    } else {
        ("delivery", "delivered")
    };
    let session = session.clone();
    tokio::spawn(async move {
        match session.send(CPIM_CONTENT_TYPE, body).await {
            Ok(_) => event(
                json,
                "imdn_sent",
                json!({"message_id": about, "notification": kind, "status": status}),
            ),
            Err(e) => eprintln!("msrp: the {kind} notification for {about} failed: {e}"),
        }
    });
}

/// Prints an IMDN that arrived.
pub(crate) fn show_notification(json: bool, n: &Imdn) {
    say(json, || {
        format!(
            "--- {} notification for {}: {}",
            n.notification.kind(),
            n.message_id,
            n.notification.status()
        )
    });
    event(json, "imdn", notification_json(n));
}

/// Prints the peer's is-composing state.
pub(crate) fn show_composing(json: bool, state: ComposingState) {
    say(json, || match state {
        ComposingState::Active => "--- the peer is typing".into(),
        ComposingState::Idle => "--- the peer stopped typing".into(),
    });
    event(json, "composing", json!({"state": state.as_str()}));
}

/// A CPIM message's addresses and IMDN headers as JSON.
pub(crate) fn cpim_json(m: &CpimMessage) -> Value {
    json!({
        "from": m.from().map(|a| a.uri().to_owned()),
        "to": m.to().map(|a| a.uri().to_owned()).collect::<Vec<_>>(),
        "datetime": m.datetime(),
        "imdn_message_id": m.imdn_message_id(),
        "disposition_notification": m.disposition_notification()
            .map(|d| d.requests().map(|(r, _)| r.as_str()).collect::<Vec<_>>()),
    })
}

/// The notification as JSON: the message it is about, its kind and status.
pub(crate) fn notification_json(n: &Imdn) -> Value {
    json!({"message_id": n.message_id, "notification": n.notification.kind(),
           "status": n.notification.status()})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_rfc3339() {
        assert_eq!(datetime_of(0), "1970-01-01T00:00:00Z");
        // 2000-02-29 (a leap day of a century leap year) and the day after.
        assert_eq!(datetime_of(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(datetime_of(951_868_799), "2000-02-29T23:59:59Z");
        assert_eq!(datetime_of(951_868_800), "2000-03-01T00:00:00Z");
        assert_eq!(datetime_of(1_796_342_400), "2026-12-04T00:00:00Z");
        assert!(msrp_cpim::is_date_time(&now_datetime()));
    }

    #[test]
    fn wrapped_text_asks_and_is_answered() {
        let args = CpimArgs {
            cpim: false,
            imdn: vec![Want::Delivery, Want::Display],
            cpim_from: Some("Alice <im:alice@example.com>".into()),
            cpim_to: None,
        };
        let w = Wrapper::new(
            &args,
            "msrp://a.example:1/x;tcp",
            "msrp://b.example:2/y;tcp",
        )
        .expect("--imdn implies --cpim");
        let wrapped = w.wrap("text/plain", Bytes::from("hi")).unwrap();
        let Content::Im(im) = read("Message/CPIM", &wrapped.body) else {
            panic!("a CPIM message")
        };
        assert_eq!(text_of(&im), Some("hi"));
        assert_eq!(im.imdn_message_id(), wrapped.imdn_id.as_deref());
        assert_eq!(
            im.to().next().map(|a| a.uri().to_owned()).as_deref(),
            Some("msrp://b.example:2/y;tcp")
        );
        // Strictly valid CPIM: what we send follows the RFC.
        assert!(CpimMessage::parse(wrapped.body.clone()).is_ok());
        // Through relays, --to is a path: To is its last URI, the peer's.
        let path = "msrp://relay.example:2855/r1;tcp msrp://b.example:2/y;tcp";
        let via = Wrapper::new(&args, "msrp://a.example:1/x;tcp", path).unwrap();
        let m = via.wrap("text/plain", Bytes::from("hi")).unwrap();
        let Content::Im(m) = read(CPIM_CONTENT_TYPE, &m.body) else {
            panic!()
        };
        assert_eq!(
            m.to().next().map(|a| a.uri().to_owned()).as_deref(),
            Some("msrp://b.example:2/y;tcp")
        );

        for display in [false, true] {
            let back = answer(&im, display).expect("asked for");
            let Content::Notification(n) = read(CPIM_CONTENT_TYPE, &back) else {
                panic!("an IMDN")
            };
            assert_eq!(Some(n.message_id.as_str()), wrapped.imdn_id.as_deref());
            let want = if display {
                Want::Display
            } else {
                Want::Delivery
            };
            assert!(want.answered_by(&n.notification));
        }
        // Not asked: no answer.
        let plain = Wrapper::new(
            &CpimArgs {
                imdn: vec![],
                cpim: true,
                ..args
            },
            "a:b",
            "c:d",
        )
        .unwrap()
        .wrap("text/plain", Bytes::from("x"))
        .unwrap();
        let Content::Im(im) = read(CPIM_CONTENT_TYPE, &plain.body) else {
            panic!()
        };
        assert!(answer(&im, false).is_none() && plain.imdn_id.is_none());
    }

    #[test]
    fn composing_bare_and_wrapped() {
        let doc = IsComposing::active(Some(60)).to_xml();
        assert!(matches!(
            read(ISCOMPOSING_CONTENT_TYPE, &Bytes::from(doc.clone())),
            Content::Composing(_)
        ));
        let w = Wrapper::new(
            &CpimArgs {
                cpim: true,
                imdn: vec![],
                cpim_from: None,
                cpim_to: None,
            },
            "a:b",
            "c:d",
        )
        .unwrap();
        let wrapped = w.wrap(ISCOMPOSING_CONTENT_TYPE, Bytes::from(doc)).unwrap();
        assert!(matches!(
            read(CPIM_CONTENT_TYPE, &wrapped.body),
            Content::Composing(_)
        ));
        assert!(matches!(
            read("text/plain", &Bytes::from("x")),
            Content::Plain
        ));
        assert!(matches!(
            read(CPIM_CONTENT_TYPE, &Bytes::from("\u{0}garbage")),
            Content::Plain
        ));
    }
}
