//! `msrp inspect cpim`: a `message/cpim` body (RFC 3862) with its IMDN headers (RFC 5438),
//! and the IMDN or is-composing document (RFC 3994) it carries, with the field names of
//! msrp-cpim's test vectors (`msrp-cpim/tests/data/README.md`).

use msrp_cpim::{
    CpimMessage, IMDN_CONTENT_TYPE, ISCOMPOSING_CONTENT_TYPE, Imdn, IsComposing, NameAddr,
    ParseOptions,
};
use msrp_uri::Mode;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::mode_name;

/// The longest body given as `body_text`.
const MAX_BODY_TEXT: usize = 1024;

fn addr(a: &NameAddr<'_>) -> Value {
    json!({"name": a.name(), "uri": a.uri(), "display_name": a.display_name()})
}

/// The parse of `input` as JSON, and whether it is valid.
pub(crate) fn inspect(input: &[u8], mode: Mode) -> (Value, bool) {
    let opts = match mode {
        Mode::Strict => ParseOptions::STRICT,
        Mode::Tolerant => ParseOptions::TOLERANT,
    };
    let mut out = Map::new();
    out.insert("mode".into(), json!(mode_name(mode)));
    let (msg, quirks) = match CpimMessage::parse_with(input.to_vec(), &opts) {
        Ok(parsed) => parsed,
        Err(e) => {
            out.insert("valid".into(), json!(false));
            let error = super::error_json(
                e.kind().name(),
                Some(e.offset() as u64),
                e.to_string(),
                Value::Null,
            );
            out.insert("error".into(), error);
            return (Value::Object(out), false);
        }
    };
    out.insert("valid".into(), json!(true));
    let quirks: Vec<&str> = quirks.iter().map(|q| q.name()).collect();
    out.insert("quirks".into(), json!(quirks));
    let headers: Vec<Value> = msg
        .headers()
        .iter()
        .map(|h| {
            json!({"name": h.name(), "params": h.raw_params(), "value": h.value(),
                "namespace": h.namespace()})
        })
        .collect();
    out.insert("headers".into(), json!(headers));
    let mime: Vec<Value> = msg
        .mime_headers()
        .iter()
        .map(|h| json!({"name": h.name(), "value": h.raw_value()}))
        .collect();
    out.insert("mime_headers".into(), json!(mime));
    out.insert("from".into(), msg.from().map_or(Value::Null, |a| addr(&a)));
    out.insert("to".into(), msg.to().map(|a| addr(&a)).collect());
    out.insert("cc".into(), msg.cc().map(|a| addr(&a)).collect());
    out.insert("datetime".into(), json!(msg.datetime()));
    let subjects: Vec<Value> = msg
        .subjects()
        .map(|s| json!({"lang": s.lang, "text": s.text}))
        .collect();
    out.insert("subjects".into(), json!(subjects));
    let namespaces: Vec<Value> = msg
        .namespaces()
        .map(|(p, u)| json!({"prefix": p, "uri": u}))
        .collect();
    out.insert("namespaces".into(), json!(namespaces));
    out.insert("require".into(), json!(msg.require().collect::<Vec<_>>()));
    out.insert("content_type".into(), json!(msg.content_type()));
    out.insert("imdn_message_id".into(), json!(msg.imdn_message_id()));
    let dn = msg
        .disposition_notification()
        .map(|d| d.requests().map(|(r, _)| r.as_str()).collect::<Vec<_>>());
    out.insert("disposition_notification".into(), json!(dn));
    let route = |it: &mut dyn Iterator<Item = NameAddr<'_>>| it.map(|a| addr(&a)).collect();
    out.insert(
        "imdn_original_to".into(),
        msg.imdn_original_to().map_or(Value::Null, |a| addr(&a)),
    );
    out.insert(
        "imdn_record_route".into(),
        route(&mut msg.imdn_record_routes()),
    );
    out.insert("imdn_route".into(), route(&mut msg.imdn_routes()));
    out.insert("is_imdn".into(), json!(msg.is_imdn()));
    let body = msg.body();
    out.insert("body_length".into(), json!(body.len()));
    let text = std::str::from_utf8(body)
        .ok()
        .filter(|t| t.len() <= MAX_BODY_TEXT);
    out.insert("body_text".into(), json!(text));
    let hex: String = Sha256::digest(body)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    out.insert("body_sha256".into(), json!(hex));
    let essence = msg.media_type();
    if essence.as_deref() == Some(IMDN_CONTENT_TYPE) {
        out.insert("imdn_document".into(), imdn_json(body));
    } else if essence.as_deref() == Some(ISCOMPOSING_CONTENT_TYPE) {
        out.insert("is_composing".into(), composing_json(body));
    }
    (Value::Object(out), true)
}

fn xml_error(e: &msrp_cpim::XmlError) -> Value {
    json!({ "error": super::error_json(e.kind().name(), Some(e.offset() as u64), e.to_string(), Value::Null) })
}

/// The `message/imdn+xml` body: the fields of the vectors' `imdn_document`.
fn imdn_json(doc: &[u8]) -> Value {
    match Imdn::parse(doc) {
        Ok(imdn) => {
            let kind = imdn.notification.kind();
            json!({
                "message_id": imdn.message_id,
                "datetime": imdn.datetime,
                "recipient_uri": imdn.recipient_uri,
                "original_recipient_uri": imdn.original_recipient_uri,
                "subject": imdn.subject.map(|s| s.text),
                "notification": kind,
                "status": imdn.notification.status(),
            })
        }
        Err(e) => xml_error(&e),
    }
}

/// The `application/im-iscomposing+xml` body.
fn composing_json(doc: &[u8]) -> Value {
    match IsComposing::parse(doc) {
        Ok(c) => json!({
            "state": c.state.as_str(),
            "lastactive": c.last_active,
            "contenttype": c.content_type,
            "refresh": c.refresh,
        }),
        Err(e) => xml_error(&e),
    }
}
