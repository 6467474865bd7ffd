//! IMDN (RFC 5438): the CPIM headers that ask for notifications and route them, and (with
//! the `xml` feature) the `message/imdn+xml` document.

use crate::syntax;

/// The namespace of the IMDN CPIM headers (RFC 5438 section 6.1), whatever prefix a message
/// declares for it with `NS`.
pub const IMDN_NAMESPACE: &str = "urn:ietf:params:imdn";

/// The prefix RFC 5438 uses for [`IMDN_NAMESPACE`] (`NS: imdn <urn:ietf:params:imdn>`);
/// any other prefix means the same.
pub const IMDN_PREFIX: &str = "imdn";

/// The XML namespace of the `message/imdn+xml` document (RFC 5438 section 15.2).
pub const IMDN_XML_NAMESPACE: &str = "urn:ietf:params:xml:ns:imdn";

/// The media type of an IMDN document (RFC 5438 section 11.1.8).
pub const IMDN_CONTENT_TYPE: &str = "message/imdn+xml";

/// One notification a `Disposition-Notification` header asks for (RFC 5438 section 10:
/// `notify-req`), without its parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disposition<'a> {
    /// `positive-delivery`: tell me when it was delivered.
    PositiveDelivery,
    /// `negative-delivery`: tell me if delivery failed.
    NegativeDelivery,
    /// `processing`: intermediaries, tell me when you processed or stored it.
    Processing,
    /// `display`: tell me when it was shown to the user.
    Display,
    /// Another token, from a later extension (ignored by RFC 5438 recipients).
    Other(&'a str),
}

impl<'a> Disposition<'a> {
    /// The token as written in the header.
    pub fn as_str(&self) -> &'a str {
        match self {
            Disposition::PositiveDelivery => "positive-delivery",
            Disposition::NegativeDelivery => "negative-delivery",
            Disposition::Processing => "processing",
            Disposition::Display => "display",
            Disposition::Other(s) => s,
        }
    }

    fn from_token(token: &'a str) -> Disposition<'a> {
        match token {
            "positive-delivery" => Disposition::PositiveDelivery,
            "negative-delivery" => Disposition::NegativeDelivery,
            "processing" => Disposition::Processing,
            "display" => Disposition::Display,
            other => Disposition::Other(other),
        }
    }
}

/// The value of a `Disposition-Notification` header: `[ notify-req *( COMMA notify-req ) ]`
/// with `notify-req = token *( SEMI Ext-param )` (RFC 5438 section 10).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DispositionNotification<'a> {
    value: &'a str,
}

impl<'a> DispositionNotification<'a> {
    /// Parses a header value; `None` if it does not follow the grammar.
    pub fn parse(value: &'a str) -> Option<DispositionNotification<'a>> {
        let mut it = Requests {
            rest: value.as_bytes(),
            full: value,
            ok: true,
        };
        for _ in it.by_ref() {}
        it.ok.then_some(DispositionNotification { value })
    }

    /// The value as written.
    pub fn as_str(&self) -> &'a str {
        self.value
    }

    /// The notifications asked for, in order, with their parameters as written (`""` or
    /// `;name=value...`).
    pub fn requests(&self) -> impl Iterator<Item = (Disposition<'a>, &'a str)> + 'a {
        Requests {
            rest: self.value.as_bytes(),
            full: self.value,
            ok: true,
        }
    }

    /// Whether no notification is asked for (an empty header, RFC 5438 section 7.1.1.3).
    pub fn is_empty(&self) -> bool {
        self.requests().next().is_none()
    }

    /// Whether `d` is asked for.
    pub fn contains(&self, d: Disposition<'_>) -> bool {
        self.requests().any(|(r, _)| r.as_str() == d.as_str())
    }

    /// `positive-delivery` is asked for.
    pub fn positive_delivery(&self) -> bool {
        self.contains(Disposition::PositiveDelivery)
    }

    /// `negative-delivery` is asked for.
    pub fn negative_delivery(&self) -> bool {
        self.contains(Disposition::NegativeDelivery)
    }

    /// `processing` is asked for.
    pub fn processing(&self) -> bool {
        self.contains(Disposition::Processing)
    }

    /// `display` is asked for.
    pub fn display(&self) -> bool {
        self.contains(Disposition::Display)
    }
}

struct Requests<'a> {
    rest: &'a [u8],
    full: &'a str,
    ok: bool,
}

impl<'a> Requests<'a> {
    fn sub(&self, s: &[u8]) -> &'a str {
        let start = self.full.len() - self.rest.len();
        self.full.get(start..start + s.len()).unwrap_or_default()
    }
}

fn skip_sp(s: &[u8]) -> &[u8] {
    let n = s.iter().position(|&b| b != b' ').unwrap_or(s.len());
    s.get(n..).unwrap_or_default()
}

impl<'a> Iterator for Requests<'a> {
    type Item = (Disposition<'a>, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        if !self.ok {
            return None;
        }
        let started = self.rest.len() != self.full.len();
        let mut s = skip_sp(self.rest);
        if started {
            // COMMA = *SP "," *SP between requests.
            match s.first() {
                None => return None,
                Some(b',') => s = skip_sp(s.get(1..).unwrap_or_default()),
                Some(_) => {
                    self.ok = false;
                    return None;
                }
            }
        } else if s.is_empty() {
            self.rest = s;
            return None;
        }
        self.rest = s;
        let n = s
            .iter()
            .position(|&b| !syntax::is_tokenchar(b))
            .unwrap_or(s.len());
        if n == 0 {
            self.ok = false;
            return None;
        }
        let token = self.sub(s.get(..n).unwrap_or_default());
        let mut at = n;
        let params_start = at;
        let mut params_end = at;
        loop {
            let after = skip_sp(s.get(at..).unwrap_or_default());
            if after.first() != Some(&b';') {
                break;
            }
            let pstart = s.len() - skip_sp(after.get(1..).unwrap_or_default()).len();
            match crate::parse::param_end(s, pstart) {
                Some(end) => {
                    at = end;
                    params_end = end;
                }
                None => {
                    self.ok = false;
                    return None;
                }
            }
        }
        let params = self.sub(s.get(..params_end).unwrap_or_default());
        let params = params.get(params_start..).unwrap_or_default();
        self.rest = s.get(at..).unwrap_or_default();
        Some((Disposition::from_token(token), params))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn disposition_values() {
        let dn = DispositionNotification::parse("positive-delivery, negative-delivery").unwrap();
        assert!(dn.positive_delivery() && dn.negative_delivery());
        assert!(!dn.display() && !dn.processing());
        let dn = DispositionNotification::parse("display ;x=1;y=\"a,b\" ,future").unwrap();
        let all: alloc::vec::Vec<_> = dn.requests().collect();
        assert_eq!(
            all,
            [
                (Disposition::Display, " ;x=1;y=\"a,b\""),
                (Disposition::Other("future"), "")
            ]
        );
        assert!(DispositionNotification::parse("").unwrap().is_empty());
        for bad in [
            "display,",
            ",display",
            "display display",
            "display;",
            "a;=b",
            "a,,b",
        ] {
            assert!(DispositionNotification::parse(bad).is_none(), "{bad}");
        }
    }
}
