//! Whether a media type is in an accept-types list (RFC 4975 section 8.6: `*` for any
//! type, `type/*` for any subtype; parameters are not compared).

/// Whether `media_type` matches one entry of an accept-types list.
///
/// ```
/// use msrp_proto::connection::type_matches;
///
/// assert!(type_matches("*", "image/png"));
/// assert!(type_matches("text/*", "TEXT/plain; charset=utf-8"));
/// assert!(!type_matches("text/plain", "text/html"));
/// ```
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_and_case() {
        assert!(type_matches("image/*", "image/jpeg"));
        assert!(!type_matches("image/*", "text/plain"));
        assert!(!type_matches("text", "text/plain"));
        assert!(type_matches(" message/CPIM ", "message/cpim"));
    }
}
