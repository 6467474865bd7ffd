//! The WebSocket handshake of a scenario's connection (RFC 7977 section 4.1): the
//! tester asks for the `msrp` subprotocol, and the target's 101 must select it.

use msrp_tokio::Io;
use msrp_tokio::ws::SUBPROTOCOL;
use msrp_tokio::ws::tokio_tungstenite::tungstenite::client::IntoClientRequest;
use msrp_tokio::ws::tokio_tungstenite::tungstenite::http::HeaderValue;
use msrp_tokio::ws::tokio_tungstenite::tungstenite::http::header::SEC_WEBSOCKET_PROTOCOL;
use msrp_tokio::ws::tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use msrp_tokio::ws::tokio_tungstenite::{WebSocketStream, client_async_with_config};

/// The client handshake to `url` over `io` (TCP or TLS already open). Fails, saying why,
/// when the target refuses it or does not select `msrp`.
pub(crate) async fn handshake(
    url: &str,
    io: Box<dyn Io>,
) -> Result<WebSocketStream<Box<dyn Io>>, String> {
    let mut request = url
        .into_client_request()
        .map_err(|e| format!("the WebSocket URL {url}: {e}"))?;
    request.headers_mut().insert(
        SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(SUBPROTOCOL),
    );
    // Small buffers: a hostile scenario holds thousands of connections. Messages are
    // taken up to tungstenite's 64 MiB, so that an oversized one is seen, not refused.
    let config = WebSocketConfig::default()
        .read_buffer_size(8 * 1024)
        .write_buffer_size(0);
    let (ws, response) = client_async_with_config(request, io, Some(config))
        .await
        .map_err(|e| {
            format!("the WebSocket handshake with {url} failed (RFC 7977 section 4.1): {e}")
        })?;
    let selected = response.headers().get(SEC_WEBSOCKET_PROTOCOL);
    if selected.is_none_or(|v| v.as_bytes() != SUBPROTOCOL.as_bytes()) {
        return Err(format!(
            "the target's 101 to {url} does not select the msrp subprotocol \
             (Sec-WebSocket-Protocol: {}; RFC 7977 section 4.1)",
            selected.map_or("absent".into(), |v| String::from_utf8_lossy(v.as_bytes())
                .into_owned())
        ));
    }
    Ok(ws)
}
