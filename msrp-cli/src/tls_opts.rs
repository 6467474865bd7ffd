//! The TLS flags of the subcommands that listen or connect (`msrps`, RFC 4975 section
//! 14.1), turned into msrp-tokio configurations.

use std::path::PathBuf;
use std::sync::Arc;

use clap::Args;
use msrp_tokio::tls::{self, SelfSigned, rustls};

/// TLS for a listening side: a certificate from files, or a self-signed one.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct ServerTls {
    /// Listen for msrps (TLS) with this PEM certificate chain (needs --tls-key).
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    pub(crate) tls_cert: Option<PathBuf>,
    /// The PEM private key of --tls-cert.
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    pub(crate) tls_key: Option<PathBuf>,
    /// Listen for msrps with a certificate made now for the bind address and localhost
    /// (for tests; peers must be told to trust it, see --write-cert).
    #[arg(long, conflicts_with = "tls_cert")]
    pub(crate) tls_self_signed: bool,
    /// Write the self-signed certificate (PEM) to FILE, for `--tls-ca FILE` on the peer.
    #[arg(long, value_name = "FILE", requires = "tls_self_signed")]
    pub(crate) write_cert: Option<PathBuf>,
}

impl ServerTls {
    /// The server configuration, if TLS was asked for. `names` go in a self-signed
    /// certificate.
    pub(crate) fn config(
        &self,
        names: &[&str],
    ) -> Result<Option<Arc<rustls::ServerConfig>>, String> {
        if let (Some(cert), Some(key)) = (&self.tls_cert, &self.tls_key) {
            return tls::server_config_from_files(cert, key)
                .map(Some)
                .map_err(|e| e.to_string());
        }
        if !self.tls_self_signed {
            return Ok(None);
        }
        let made = SelfSigned::generate(names).map_err(|e| e.to_string())?;
        if let Some(path) = &self.write_cert {
            std::fs::write(path, &made.cert_pem)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        }
        made.server_config().map(Some).map_err(|e| e.to_string())
    }
}

/// TLS for a connecting side.
#[derive(Debug, Args, Clone, Default)]
pub(crate) struct ClientTls {
    /// Trust the certificates in this PEM file (a CA, or the peer's self-signed
    /// certificate) for msrps URIs; msrps needs it.
    #[arg(long, value_name = "FILE")]
    pub(crate) tls_ca: Option<PathBuf>,
}

impl ClientTls {
    /// The client configuration, if a trust file was given.
    pub(crate) fn config(&self) -> Result<Option<Arc<rustls::ClientConfig>>, String> {
        match &self.tls_ca {
            Some(ca) => tls::client_config_trusting_file(ca)
                .map(Some)
                .map_err(|e| e.to_string()),
            None => Ok(None),
        }
    }
}
