//! TLS for `msrps` URIs (RFC 4975 section 14.1) with rustls: configurations from PEM files,
//! and, with the `self-signed` feature, certificates made at run time for tests and demos.

use std::path::Path;
use std::sync::Arc;

use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
pub use tokio_rustls::rustls;
use tokio_rustls::rustls::{ClientConfig, RootCertStore, ServerConfig};

use crate::Error;

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn tls_err(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Tls(format!("{what}: {e}"))
}

fn certs_from_pem(pem: &[u8], what: &str) -> Result<Vec<CertificateDer<'static>>, Error> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_err(what, e))?;
    if certs.is_empty() {
        return Err(Error::Tls(format!("{what}: no certificate in it")));
    }
    Ok(certs)
}

fn read(path: &Path) -> Result<Vec<u8>, Error> {
    std::fs::read(path).map_err(|e| tls_err(&path.display().to_string(), e))
}

/// A server configuration from a PEM certificate chain and a PEM private key.
pub fn server_config_from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<Arc<ServerConfig>, Error> {
    let certs = certs_from_pem(cert_pem, "certificate")?;
    let key = PrivateKeyDer::from_pem_slice(key_pem).map_err(|e| tls_err("private key", e))?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err("protocol versions", e))?
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .map_err(|e| tls_err("certificate and key", e))?;
    Ok(Arc::new(config))
}

/// [`server_config_from_pem`] with the PEM read from files.
pub fn server_config_from_files(cert: &Path, key: &Path) -> Result<Arc<ServerConfig>, Error> {
    server_config_from_pem(&read(cert)?, &read(key)?)
}

/// A client configuration that trusts the certificates (CA or self-signed server
/// certificates) in a PEM bundle.
pub fn client_config_trusting_pem(ca_pem: &[u8]) -> Result<Arc<ClientConfig>, Error> {
    let mut roots = RootCertStore::empty();
    for cert in certs_from_pem(ca_pem, "trusted certificates")? {
        roots
            .add(cert)
            .map_err(|e| tls_err("trusted certificate", e))?;
    }
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err("protocol versions", e))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// [`client_config_trusting_pem`] with the PEM read from a file.
pub fn client_config_trusting_file(ca: &Path) -> Result<Arc<ClientConfig>, Error> {
    client_config_trusting_pem(&read(ca)?)
}

/// A self-signed certificate and its key, in PEM.
#[cfg(feature = "self-signed")]
#[derive(Debug, Clone)]
pub struct SelfSigned {
    /// The certificate.
    pub cert_pem: String,
    /// Its private key.
    pub key_pem: String,
}

#[cfg(feature = "self-signed")]
impl SelfSigned {
    /// A certificate for these names (DNS names or IP addresses, e.g. `"127.0.0.1"`).
    pub fn generate(names: &[&str]) -> Result<SelfSigned, Error> {
        let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
        let cert = rcgen::generate_simple_self_signed(names).map_err(|e| tls_err("rcgen", e))?;
        Ok(SelfSigned {
            cert_pem: cert.cert.pem(),
            key_pem: cert.signing_key.serialize_pem(),
        })
    }

    /// A server configuration presenting it.
    pub fn server_config(&self) -> Result<Arc<ServerConfig>, Error> {
        server_config_from_pem(self.cert_pem.as_bytes(), self.key_pem.as_bytes())
    }

    /// A client configuration trusting it.
    pub fn client_config(&self) -> Result<Arc<ClientConfig>, Error> {
        client_config_trusting_pem(self.cert_pem.as_bytes())
    }
}
